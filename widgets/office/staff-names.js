/**
 * Staff named as colleagues know them on a request: "Laura Bianchi", not "op-conti". The names
 * come with the request itself: each audit row keeps the name its actor's token carried when they
 * acted (`actor.name`), each reply and note its author's. Two people of the same name on one
 * request are told apart by their user code ("Laura Bianchi (op-conti)"); otherwise the code stays
 * in the title, for whoever needs it. Someone never named (an older row, a token without a name)
 * is shown by their code.
 *
 * Separate from ticket-view.js because it only reads the detail: no element, no request.
 */
import { tr } from './strings.js';

/**
 * `text` is the name (with the code for a namesake), `code` that code alone (null without a
 * namesake), for the lines that put the code beside another word: «Laura Bianchi (op-conti, Sede)».
 *
 * @param {object} t the request's detail (audit, replies, notes)
 * @returns {(id: string | null | undefined, nameThen?: string | null) => { text: string, title: string | null, name: string, code: string | null }}
 */
export function staffNames(t) {
  const latest = new Map(); // user code → the last name seen for it
  const idsOf = new Map(); // name → the user codes that carried it
  const people = [...(t.audit ?? []).map((a) => a.actor), ...(t.replies ?? []).map((r) => r.author), ...(t.notes ?? []).map((n) => n.author)];
  for (const p of people) {
    if (!p?.id || !p.name) continue;
    latest.set(p.id, p.name);
    if (!idsOf.has(p.name)) idsOf.set(p.name, new Set());
    idsOf.get(p.name).add(p.id);
  }
  return (id, nameThen = null) => {
    const name = nameThen || (id ? latest.get(id) : null);
    if (!id) return { text: name ?? '', title: null, name: name ?? '', code: null };
    if (!name) return { text: id, title: null, name: id, code: null };
    const code = (idsOf.get(name)?.size ?? 0) > 1 ? id : null;
    return { text: code ? `${name} (${code})` : name, title: tr('off.who.code', { id }), name, code };
  };
}
