/**
 * Baseline of scenario 7: bare `node:http`, one fixed JSON body, keep-alive.
 * What any Node HTTP server on this machine can at most do; INFO CIG's routes are
 * measured as a share of it. Prints `http-hello listening on http://…` when ready.
 */
import http from 'node:http';

const body = Buffer.from('{"hello":"world"}');
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const a = server.address();
  console.log(`http-hello listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
