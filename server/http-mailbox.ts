/**
 * GET /mailbox/: the local mailbox as a page (development only: register it
 * only with AUTH_DEV=1). It lists the notices the dispatcher delivered
 * locally, newest first: those that would have been e-mailed when no SMTP_URL
 * is set, and those for addressees with no address (a matricola's Cassetto,
 * a user with no e-mail). `?to=` narrows the list to one recipient.
 *
 * GET /mailbox/messages.json: the same list as JSON, for scripts and tests.
 *
 * The page is rendered on the server with every value escaped, no script and
 * no inline style (the pages' Content-Security-Policy applies).
 */
import type { FastifyInstance } from 'fastify';
import type { MailboxRow } from '../schema/attachment-tables.ts';
import type { LocalMailbox } from './notice-channels.ts';

export interface MailboxRoutesOptions {
  mailbox: LocalMailbox;
}

const query = {
  type: 'object',
  properties: { to: { type: 'string', maxLength: 254 } },
  additionalProperties: false,
} as const;

const CHANNEL: Record<string, string> = {
  email: 'e-mail (SMTP non configurato)',
  sms: 'SMS',
  inbox: 'area riservata (nessun recapito noto)',
};

export async function mailboxRoutes(app: FastifyInstance, opts: MailboxRoutesOptions): Promise<void> {
  const { mailbox } = opts;

  app.get('/mailbox', async (_request, reply) => reply.redirect('/mailbox/'));

  app.get<{ Querystring: { to?: string } }>('/mailbox/', { schema: { querystring: query } }, async (request, reply) => {
    const to = request.query.to?.trim() || undefined;
    const rows = await mailbox.list({ recipient: to, limit: 200 });
    reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store');
    return renderMailbox(rows, to);
  });

  app.get<{ Querystring: { to?: string } }>('/mailbox/messages.json', { schema: { querystring: query } }, async (request, reply) => {
    const to = request.query.to?.trim() || undefined;
    const rows = await mailbox.list({ recipient: to, limit: 200 });
    reply.header('Cache-Control', 'no-store');
    return {
      items: rows.map((r) => ({
        id: r.id,
        ticketId: r.ticketId,
        kind: r.kind,
        channel: r.channel,
        to: r.recipient,
        subject: r.subject,
        text: r.body,
        deliveredAt: r.deliveredAt.toISOString(),
      })),
    };
  });
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const WHEN = new Intl.DateTimeFormat('it-IT', {
  timeZone: 'Europe/Rome',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export function renderMailbox(rows: readonly MailboxRow[], to?: string): string {
  const e = escapeHtml;
  const items = rows
    .map((r) => {
      const body = r.body
        .split('\n')
        .map((line) => (line === '' ? '' : `<p>${e(line)}</p>`))
        .join('');
      return `
      <li class="card mail">
        <article aria-labelledby="m-${e(r.id)}">
          <h2 id="m-${e(r.id)}">${e(r.subject)}</h2>
          <dl class="mail-meta">
            <div><dt>A</dt><dd><a href="?to=${encodeURIComponent(r.recipient)}">${e(r.recipient)}</a></dd></div>
            <div><dt>Canale</dt><dd>${e(CHANNEL[r.channel] ?? r.channel)}</dd></div>
            <div><dt>Consegnato</dt><dd><time datetime="${e(r.deliveredAt.toISOString())}">${e(WHEN.format(r.deliveredAt))}</time></dd></div>
          </dl>
          <div class="mail-body">${body}</div>
        </article>
      </li>`;
    })
    .join('');
  return `<!doctype html>
<html lang="it">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>INFO CIG – Casella di posta locale</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/common.css">
  <link rel="stylesheet" href="/office/mailbox.css">
</head>
<body>
  <header class="page-header on-dark">
    <p><strong>INFO CIG</strong> · casella di posta locale (solo sviluppo)</p>
  </header>
  <main class="page-main">
    <h1>Avvisi consegnati localmente</h1>
    <p class="note">Gli avvisi che senza <code>SMTP_URL</code> sarebbero stati inviati per e-mail, e quelli per destinatari senza recapito (matricole, utenti senza e-mail). I più recenti per primi.</p>
    <form class="mail-filter" method="get" action="/mailbox/">
      <div class="field">
        <label for="to">Destinatario</label>
        <input id="to" name="to" type="text" value="${e(to ?? '')}" placeholder="es. utente:w-123, matricola:1234567890, sede.mi@inps.example">
      </div>
      <button type="submit">Filtra</button>
      ${to ? '<a class="button" href="/mailbox/">Tutti</a>' : ''}
    </form>
    <p role="status">${rows.length === 0 ? 'Nessun avviso.' : `${rows.length} ${rows.length === 1 ? 'avviso' : 'avvisi'}${to ? ` per ${e(to)}` : ''}.`}</p>
    <ol class="mail-list">${items}
    </ol>
  </main>
</body>
</html>
`;
}
