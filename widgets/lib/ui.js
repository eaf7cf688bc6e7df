/**
 * Small DOM helpers shared by the chat app and the advisor console. User text
 * only ever reaches the page through textContent (never innerHTML), and no
 * element gets a style attribute (the pages run under style-src 'self').
 */
import { TIME_ZONE, formatDateTime, formatTime, t } from '../i18n.js';

/** h('p', { class: 'x', hidden: true }, 'text', child) — attributes by setAttribute, text by text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'style') throw new Error('no inline styles');
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

/**
 * An element whose whole text is one string key: marked data-i18n, so the page's
 * applyI18n (run by every setLang) puts it in the new language with the rest.
 */
export function ht(tag, attrs, key) {
  return h(tag, { ...attrs, 'data-i18n': key }, t(key));
}

/** Saves text as a file through a Blob (no server round trip). */
export function downloadText(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Polite announcements for screen readers through one shared live region.
 * Two within the same tick are said together: the second used to replace the
 * first before it was written (a new place in the queue and a new service
 * announcement, both looked at every 30 s, often come together).
 */
export function announcer(el) {
  let timer;
  let pending = '';
  return (text) => {
    clearTimeout(timer);
    pending = pending ? `${pending} ${text}` : text;
    el.textContent = '';
    // A fresh text node after a tick is announced even when the text repeats.
    timer = setTimeout(() => {
      el.textContent = pending;
      pending = '';
    }, 50);
  };
}

/**
 * One conversation's messages in an <ol>, ordered by seq, each shown once.
 * Own messages appear at once as "sending" (keyed by clientMsgId) and take their
 * place when the server's copy with its seq arrives.
 */
export class MessageList {
  /**
   * @param {HTMLOListElement} ol
   * @param {{ myId: () => string|null, nameOf: (m: object) => string }} o
   */
  constructor(ol, o) {
    this.ol = ol;
    /** The scrolling box: the list's role="log" wrapper. */
    this.box = ol.closest('.log') ?? ol;
    this.o = o;
    /** key -> { li, m } ; key = "c:<clientMsgId>" for own, "s:<seq>" for the others */
    this.items = new Map();
    this.readUpTo = 0;
  }

  keyOf(m) {
    return m.mine ? `c:${m.clientMsgId}` : `s:${m.seq}`;
  }

  clear() {
    this.items.clear();
    this.ol.replaceChildren();
    this.readUpTo = 0;
  }

  nearBottom() {
    return this.box.scrollHeight - this.box.scrollTop - this.box.clientHeight < 60;
  }

  /** Adds or updates a message ({seq?, clientMsgId, from, text, at, mine, pending?}). Returns true when new. */
  add(m) {
    const key = this.keyOf(m);
    const stick = this.nearBottom();
    const existing = this.items.get(key);
    if (existing) {
      if (m.seq && !existing.m.seq) {
        existing.m = { ...existing.m, ...m, pending: false };
        existing.li.dataset.seq = String(m.seq);
        this.place(existing.li, m.seq);
        this.refresh(existing);
      }
      return false;
    }
    const li = h('li', { class: `msg ${m.mine ? 'mine' : 'theirs'}` });
    const meta = h('p', { class: 'msg-meta' }, h('span', { class: 'msg-who' }, this.who(m)), ' ', h('time', { datetime: m.at }, formatTime(m.at)));
    const text = h('p', { class: 'msg-text' });
    text.textContent = m.text;
    li.append(meta, text);
    if (m.mine) li.append(h('p', { class: 'msg-status' }));
    const item = { li, m };
    this.items.set(key, item);
    if (m.seq) {
      li.dataset.seq = String(m.seq);
      this.place(li, m.seq);
    } else {
      this.ol.append(li);
    }
    this.refresh(item);
    if (stick || m.mine) this.box.scrollTop = this.box.scrollHeight;
    return true;
  }

  who(m) {
    return m.mine ? t('common.you') : this.o.nameOf(m);
  }

  /**
   * After a language change: the words of the messages already shown ("Tu" / "You" / "Sie", "Inviato" / "Sent"),
   * so a person who switched to the language they read does not find the earlier lines in the old one.
   */
  relabel() {
    for (const item of this.items.values()) {
      item.li.querySelector('.msg-who').textContent = this.who(item.m);
      item.li.querySelector('time').textContent = formatTime(item.m.at);
      this.refresh(item);
    }
  }

  /** Puts an element before the first with a higher seq or no seq yet. */
  place(li, seq) {
    for (const other of this.ol.children) {
      if (other === li) continue;
      const s = Number(other.dataset.seq || Infinity);
      if (s > seq) {
        if (li.nextSibling !== other) this.ol.insertBefore(li, other);
        return;
      }
    }
    if (this.ol.lastElementChild !== li) this.ol.append(li);
  }

  refresh(item) {
    const status = item.li.querySelector('.msg-status');
    if (!status) return;
    const m = item.m;
    const state = m.failed ? 'failed' : !m.seq ? 'sending' : m.seq <= this.readUpTo ? 'read' : 'sent';
    item.li.dataset.state = state;
    status.textContent = t(`chat.${state}`);
  }

  markRead(seq) {
    if (seq <= this.readUpTo) return;
    this.readUpTo = seq;
    for (const item of this.items.values()) if (item.m.mine) this.refresh(item);
  }

  markFailed(clientMsgId) {
    const item = this.items.get(`c:${clientMsgId}`);
    if (!item) return;
    item.m.failed = true;
    this.refresh(item);
  }

  maxSeq() {
    let max = 0;
    for (const { m } of this.items.values()) if (m.seq > max) max = m.seq;
    return max;
  }

  /** The conversation as plain text, for download. */
  transcript(header) {
    const lines = [t('transcript.title'), ...header, `${t('transcript.downloaded')}: ${formatDateTime(new Date().toISOString())}`, ''];
    const list = [...this.items.values()].map((i) => i.m).sort((a, b) => (a.seq || Infinity) - (b.seq || Infinity));
    for (const m of list) {
      lines.push(`[${formatDateTime(m.at)}] ${this.who(m)}: ${m.text}`);
    }
    return lines.join('\n') + '\n';
  }
}

/** Sends typing on/off to the peer: at most one "on" every 3 s, "off" after 4 s idle or on send. */
export function typingNotifier(send) {
  let lastOn = 0;
  let idle;
  let active = false;
  return {
    input() {
      const now = Date.now();
      if (!active || now - lastOn > 3000) {
        lastOn = now;
        active = true;
        send(true);
      }
      clearTimeout(idle);
      idle = setTimeout(() => this.stop(), 4000);
    },
    stop() {
      clearTimeout(idle);
      if (active) {
        active = false;
        send(false);
      }
    },
  };
}

/**
 * A text area that grows with its text (up to its CSS max-height, then it scrolls), so a long text put in
 * by code — a ready answer — is read whole before it is sent, not through two lines. Fits on each
 * `input` event (code that sets the value dispatches one); returns `fit()` for a box just placed in the page.
 */
export function growToFit(textarea) {
  const fit = () => {
    textarea.style.height = 'auto';
    // scrollHeight leaves out the borders, which the height (border-box) includes.
    textarea.style.height = `${textarea.scrollHeight + textarea.offsetHeight - textarea.clientHeight}px`;
  };
  textarea.addEventListener('input', fit);
  return fit;
}

/** The text area sends on Enter, new line on Shift+Enter. */
export function enterToSend(textarea, form) {
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
}

/** A transcript's file name stamp, 'YYYY-MM-DD-HH-MM'. */
export function fileStamp(now = new Date()) {
  // Rome's day and time, as every time in the transcript: UTC named a chat at 16:05 '…-15-05', and one
  // after 23:00 UTC (midnight in Rome) the day before.
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(now).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}-${parts.hour}-${parts.minute}`;
}

/** Saves a Blob (e.g. a file fetched with the Bearer header) under a file name, through a Blob URL. */
export function saveBlob(filename, blob) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A button's name quoted in a sentence, with the stop after it: «Resta nella chat». „Im Chat bleiben“. “Stay in the chat”. */
const BUTTON_NAME = /([«„“][^«»„“”]+[»“”][.,:;!?]?)/u;

/**
 * In each `.names-button` line under `root`, the button's name it quotes goes in an inline block
 * (.button-name): the name moves whole to the next line rather than split over two (at 360 px
 * „Im Chat | bleiben“ read as two things), and only a line narrower than the name itself (320 px,
 * text at 200 %) wraps it inside, between its words. Run after the line's text is (re)written.
 */
export function keepButtonNamesWhole(root = document) {
  for (const el of root.querySelectorAll('.names-button')) {
    const parts = el.textContent.split(BUTTON_NAME);
    if (parts.length < 3) continue;
    el.replaceChildren(...parts.filter(Boolean).map((part) => (BUTTON_NAME.test(part) ? h('span', { class: 'button-name' }, part) : part)));
  }
}
