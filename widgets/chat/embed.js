/**
 * The chat inside the bubble of a host page (OMNIA IS, the Cassetto): the
 * only channel is postMessage with the page's origin, which must be named in
 * ?host= and match the real ancestor; the host answers token requests and may
 * send context (protocol, matricola, wizard step), language, visibility and focus.
 * Everything that arrives is checked here: the origin, the envelope
 * (`infocig: 1`, a string type) and each context value.
 */

/** Context keys a host page may pass, each a short string. */
const CONTEXT_KEYS = ['protocol', 'matricola', 'step'];

/** The parent origin from ?host=, if it is a bare http(s) origin that matches the real ancestor. */
export function hostOrigin(params) {
  const host = params.get('host');
  if (!host || window.parent === window) return null;
  let url;
  try {
    url = new URL(host);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== host) return null;
  // Where the browser tells the real parent origin (Chromium, Safari), it must be the same;
  // "null" means the referrer policy masks it, which proves nothing either way.
  const parent = location.ancestorOrigins?.[0];
  if (parent && parent !== 'null' && parent !== host) return null;
  return host;
}

export function embedBridge(host) {
  const waiters = new Map();
  const handlers = new Map();
  let n = 0;
  window.addEventListener('message', (e) => {
    if (e.source !== window.parent || e.origin !== host) return;
    const d = e.data;
    if (!d || d.infocig !== 1 || typeof d.type !== 'string') return;
    if (d.type === 'token') {
      const w = waiters.get(d.id);
      if (!w) return;
      waiters.delete(d.id);
      if (typeof d.token === 'string' && d.token) w.resolve(d.token);
      else w.reject(new Error(d.error || 'no token from the host page'));
      return;
    }
    handlers.get(d.type)?.(d);
  });
  return {
    post: (type, data) => window.parent.postMessage({ ...data, infocig: 1, type }, host),
    on: (type, fn) => handlers.set(type, fn),
    getToken() {
      return new Promise((resolve, reject) => {
        const id = ++n;
        waiters.set(id, { resolve, reject });
        this.post('token.request', { id });
        setTimeout(() => waiters.delete(id) && reject(new Error('the host page did not answer with a token')), 15_000);
      });
    },
  };
}

export function cleanContext(raw) {
  const out = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const key of CONTEXT_KEYS) {
    const v = raw[key];
    if (typeof v === 'string' || typeof v === 'number') {
      const s = String(v).trim().slice(0, 200);
      if (s) out[key] = s;
    }
  }
  return out;
}
