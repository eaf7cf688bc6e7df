/**
 * What a page keeps in its tab (sessionStorage) across a reload: drafts, the ended view,
 * the person signed in, the advisor's status.
 *
 * Every touch is guarded, because the bubble lives in other sites' pages: a browser that
 * blocks site data for an embedded frame throws on the first read of `sessionStorage`
 * itself, and a full quota throws on write. The page must then go on working and only
 * forget across a reload; before this, one throwing write stopped the ended view halfway
 * and left "Esci" without effect. What the tab cannot keep is held in this page's memory
 * instead, so a sign-in or a draft still lasts until the page is reloaded.
 */

/** Values the tab refused (storage blocked, quota full), by key; null marks a key forgotten. */
const memory = new Map();

function storage() {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** The text kept under `key`, or null (none, or storage blocked). */
export function readText(key) {
  if (memory.has(key)) return memory.get(key);
  try {
    return storage()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Keeps `text` under `key`; null or undefined forgets it. False when only this page's memory holds it. */
export function writeText(key, text) {
  const value = text ?? null;
  memory.delete(key);
  try {
    const s = storage();
    if (!s) throw new Error('sessionStorage unavailable');
    if (value === null) s.removeItem(key);
    else s.setItem(key, value);
    return true;
  } catch {
    memory.set(key, value);
    return false;
  }
}

/** The value kept under `key` as JSON, or `fallback` when there is none, it does not parse or storage is blocked. */
export function readJson(key, fallback = null) {
  const text = readText(key);
  if (text === null) return fallback;
  try {
    return JSON.parse(text) ?? fallback;
  } catch {
    return fallback;
  }
}

/** Keeps `value` under `key` as JSON; null or undefined forgets it. False when only this page's memory holds it. */
export function writeJson(key, value) {
  return writeText(key, value === null || value === undefined ? null : JSON.stringify(value));
}

/** Forgets every key given. */
export function forget(...keys) {
  for (const key of keys) writeText(key, null);
}
