/**
 * Ticket attachments, the pure part (server/attachments.ts): sniffing decides a
 * file's type from its bytes and refuses markup, programs and junk; file names
 * are sanitised and get the extension of the sniffed type; Content-Disposition
 * always says attachment, with an ASCII fallback and the UTF-8 name. No storage.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ATTACHMENT_LIMITS, contentDisposition, sanitizeFilename, sniff } from '../server/attachments.ts';
import { EXE, GIF, HTML, JPEG, P7M, PDF, PNG, SVG, TEXT, ZIP } from './helpers/sample-files.ts';

test('sniffing decides the type from the bytes: PDF, PNG, JPEG, P7M and plain text', () => {
  assert.is(sniff(PDF), 'application/pdf');
  assert.is(sniff(PNG), 'image/png');
  assert.is(sniff(JPEG), 'image/jpeg');
  assert.is(sniff(P7M), 'application/pkcs7-mime');
  assert.is(sniff(TEXT), 'text/plain');
  assert.is(sniff(Buffer.from('\ufeffÈ già arrivata la domanda? àèìòù\r\n')), 'text/plain');
});

test('sniffing refuses HTML, SVG, XML, programs, archives, other images, binary junk and invalid UTF-8', () => {
  for (const [name, bytes] of Object.entries({
    HTML,
    SVG,
    EXE,
    ZIP,
    GIF,
    empty: Buffer.alloc(0),
    'leading markup': Buffer.from('   \n<p>ciao</p>'),
    'script inside': Buffer.from('nota\n<script src="//x"></script>'),
    'NUL byte': Buffer.from('abc\0def'),
    'invalid UTF-8': Buffer.from([0x61, 0xff, 0xfe, 0x62]),
    'PDF not at the start': Buffer.concat([Buffer.from([0x00, 0x01]), Buffer.from('%PDF-1.7')]),
    'PNG signature only': PNG.subarray(0, 8),
  })) {
    assert.is(sniff(bytes), null, name);
  }
});

test('file names are sanitised and get an extension matching the sniffed type', () => {
  assert.is(sanitizeFilename('ricevuta.pdf', 'application/pdf'), 'ricevuta.pdf');
  assert.is(sanitizeFilename('Scansione.PDF', 'application/pdf'), 'Scansione.pdf');
  assert.is(sanitizeFilename('evil.pdf', 'image/png'), 'evil.pdf.png', 'a misleading extension is kept as text, never as the type');
  assert.is(sanitizeFilename('../../etc/passwd', 'text/plain'), 'passwd.txt');
  assert.is(sanitizeFilename('C:\\Users\\mario\\busta paga.jpeg', 'image/jpeg'), 'busta paga.jpeg');
  assert.is(sanitizeFilename('fattura\u202Efdp.exe', 'application/pdf'), 'fatturafdp.exe.pdf', 'bidi overrides are dropped');
  assert.is(sanitizeFilename('a<b>:"c"|?*.pdf', 'application/pdf'), 'a_b___c____.pdf');
  assert.is(sanitizeFilename('CON.pdf', 'application/pdf'), '_CON.pdf');
  assert.is(sanitizeFilename('', 'image/png'), 'allegato.png');
  assert.is(sanitizeFilename('...', 'application/pdf'), 'allegato.pdf');
  assert.is(sanitizeFilename("dell'INPS – domanda.pdf", 'application/pdf'), "dell'INPS – domanda.pdf");
  assert.is(sanitizeFilename('documento.pdf.p7m', 'application/pkcs7-mime'), 'documento.pdf.p7m');
  const long = sanitizeFilename(`${'è'.repeat(300)}.pdf`, 'application/pdf');
  assert.is([...long].length, ATTACHMENT_LIMITS.filenameMax);
  assert.ok(long.endsWith('è.pdf'));
});

test('a file name of a million dots and spaces is sanitised in one pass: trimmed, cut, with its extension', () => {
  // A multipart part header may be 80 KiB. With the trailing-trim regex /[\s.]+$/ this name
  // took about half an hour of CPU (quadratic backtracking): the runner's file timeout fails it.
  const dots = '. '.repeat(500_000);
  assert.is(sanitizeFilename(`busta${dots}paga.pdf`, 'application/pdf'), 'busta.pdf', 'cut to 120 characters, then trimmed');
  assert.is(sanitizeFilename(`${dots}ricevuta${dots}`, 'application/pdf'), `ricevuta.pdf`);
  assert.is(sanitizeFilename(dots, 'image/png'), 'allegato.png');
});

test('Content-Disposition is an attachment with an ASCII fallback and the UTF-8 name', () => {
  assert.is(contentDisposition('ricevuta è (1).pdf'), `attachment; filename="ricevuta e (1).pdf"; filename*=UTF-8''ricevuta%20%C3%A8%20%281%29.pdf`);
  assert.is(contentDisposition("dell'INPS.pdf"), `attachment; filename="dell'INPS.pdf"; filename*=UTF-8''dell%27INPS.pdf`);
  assert.is(contentDisposition('日本.txt'), `attachment; filename="__.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt`);
});

// ---------------------------------------------------------------------------
// HTTP

test.run();
