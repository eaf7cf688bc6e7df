/**
 * "Mentre aspetti": while a user waits for an advisor, the institute's public
 * answers for their topic and audience (GET /api/v1/tips, the same wording the
 * advisors insert). Most afternoons are the same few questions; a user who
 * finds the answer here leaves the queue with `chat.cancel` reason
 * `self_served`, which frees a seat for someone who needs an advisor and is
 * counted apart from other departures.
 *
 * Not shown to a user handed back to the queue mid-chat: they are already
 * talking to the help desk, and leaving would end that conversation.
 */
import { lang } from '../i18n.js';
import { $, h } from '../lib/ui.js';

/** deps: { state, leave() } */
let d;
/** `${topic}/${audience}` → tips, so a position update never asks again. */
const cache = new Map();
let shownFor = '';

export function initQueueTips(deps) {
  d = deps;
  $('#tips-found').addEventListener('click', () => d.leave());
}

/**
 * On each fresh place in the queue: the tips for its topic, or none. `handingOver`: the wait is for
 * an open chat to be handed over, which the live `queue.joined` says by its conversation and a
 * welcome after a reload only by the page's reading of it (chat.js); the tips showed after a reload.
 */
export async function showTips(info, handingOver = false) {
  const box = $('#queue-tips');
  const topic = info.topic ?? d.state.request?.topic;
  const audience = info.audience ?? d.state.client?.role;
  if (handingOver || info.conversationId || !topic || !audience) {
    box.hidden = true;
    shownFor = '';
    return;
  }
  const key = `${topic}/${audience}`;
  shownFor = key;
  const tips = await load(key, topic, audience);
  if (shownFor !== key) return; // the wait ended or changed while they loaded
  render(tips);
}

/** After a language change. */
export function renderTips() {
  if (shownFor && cache.has(shownFor)) render(cache.get(shownFor));
}

async function load(key, topic, audience) {
  if (cache.has(key)) return cache.get(key);
  try {
    const url = new URL(`api/v1/tips?topic=${encodeURIComponent(topic)}&audience=${encodeURIComponent(audience)}`, d.state.client.httpBase);
    const res = await fetch(url);
    if (!res.ok) return [];
    const tips = (await res.json()).items ?? [];
    cache.set(key, tips); // only an answer is kept: after a failed fetch the next wait asks again
    return tips;
  } catch {
    // No tips is a wait like any other: the queue view needs nothing from them.
    return [];
  }
}

function render(tips) {
  const box = $('#queue-tips');
  const list = $('#tips-list');
  const l = lang();
  // A language change re-renders: what the user had opened stays open.
  const opened = new Set([...list.querySelectorAll('details[open]')].map((el) => el.dataset.id));
  list.replaceChildren(
    ...tips.map((tip) => {
      // Written in the page's language, or else in Italian, marked as such for screen readers.
      const written = tip.title[l] && tip.text[l] ? l : 'it';
      return h(
        'details',
        { class: 'tip', 'data-id': tip.id, open: opened.has(tip.id), lang: written === l ? null : 'it' },
        h('summary', {}, tip.title[written]),
        h('p', {}, tip.text[written]),
      );
    }),
  );
  box.hidden = tips.length === 0;
}
