/**
 * How the console gets an advisor's attention for a new chat while they look
 * elsewhere: a short two-tone beep (Web Audio, no file; browsers allow it only
 * after a first click or key, hence unlockAudio) and a count in the tab title,
 * cleared when the console has the focus again.
 *
 * Separate from advisor.js: page-wide state (one audio context, one counter)
 * that the cards only trigger.
 */
import { t } from '../i18n.js';

let audio = null;
let cue = 0;

export function unlockAudio() {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    /* no audio */
  }
}

export function beep() {
  const ctx = audio;
  if (!ctx || ctx.state !== 'running') return;
  const now = ctx.currentTime;
  for (const [at, freq] of [[0, 880], [0.22, 1175]]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + at);
    gain.gain.exponentialRampToValueAtTime(0.25, now + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.18);
    osc.connect(gain).connect(ctx.destination);
    osc.start(now + at);
    osc.stop(now + at + 0.2);
  }
}

const BASE_TITLE = document.title;
export function titleCue() {
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  cue++;
  document.title = `(${cue}) ${t('adv.titleCue')}`;
}
export function clearCue() {
  cue = 0;
  document.title = BASE_TITLE;
}
