/**
 * The line by the status control that says how many users wait for this advisor
 * (`advisor.queue`: those the router would give them, whatever their status or free
 * seats) and how long the longest has waited: "3 persone in attesa per te · la più
 * lunga da 6 min", with "— sei in pausa" when away. Stronger when it matters: someone
 * waits and the advisor cannot take them (all seats taken, or away).
 *
 * The server sends a frame only when the count or the longest waiter changes; the
 * minutes count on here. Screen readers hear it (politely, through the page's live
 * region) only when the count changes while the advisor cannot take anyone, or when
 * people start or stop waiting: never for a minute going by.
 */
import { t } from '../i18n.js';

/** Waits within this long of each other are said once, as the last of them. */
const SETTLE_MS = 1500;
const TICK_MS = 15_000;

export function queueLine({ el, announce }) {
  let queue = null; // { waiting, oldestAt (ms, this clock) }
  let seat = { status: null, full: false };
  let said = null;
  let sayTimer = null;
  let tick = null;

  const blocked = () => seat.status === 'away' || seat.full;

  function text() {
    const { waiting, oldestAt } = queue;
    if (waiting === 0) return t('adv.queue.none');
    const minutes = Math.floor((Date.now() - oldestAt) / 60_000);
    const who = waiting === 1 ? t('adv.queue.one') : t('adv.queue.many', { n: waiting });
    const since = t(`adv.queue.${waiting === 1 ? 'since' : 'longest'}${minutes < 1 ? 'New' : ''}`, { min: minutes });
    const away = seat.status === 'away' ? ` — ${t('adv.queue.away')}` : '';
    return `${who} · ${since}${away}`;
  }

  function render() {
    el.hidden = queue === null;
    if (!queue) return;
    el.textContent = text();
    el.dataset.pressure = queue.waiting === 0 ? 'none' : blocked() ? 'high' : 'some';
  }

  /** What a screen reader should hear about: the count while blocked, else only whether anyone waits. */
  function sayLater() {
    const key = !queue || queue.waiting === 0 ? 'none' : blocked() ? `blocked:${queue.waiting}:${seat.status}` : 'some';
    if (said === null) said = key; // the first figures after sign-in are on screen, not news
    clearTimeout(sayTimer);
    if (key === said) return;
    sayTimer = setTimeout(() => {
      said = key;
      if (queue) announce(el.textContent);
    }, SETTLE_MS);
  }

  return {
    /** An `advisor.queue` frame. */
    update(f) {
      const waiting = Number(f.waiting) || 0;
      const seconds = Number(f.longestWaitSeconds) || 0;
      queue = { waiting, oldestAt: Date.now() - seconds * 1000 };
      tick ??= setInterval(render, TICK_MS);
      render();
      sayLater();
    },
    /** The advisor's status or load changed (the console's own figures). */
    seats(status, load, capacity) {
      seat = { status, full: Boolean(capacity) && load >= capacity };
      render();
      if (queue) sayLater();
    },
    /** The connection is gone: the figures would go stale; the next hello brings new ones. */
    clear() {
      queue = null;
      said = null;
      clearTimeout(sayTimer);
      clearInterval(tick);
      tick = null;
      render();
    },
    render,
  };
}
