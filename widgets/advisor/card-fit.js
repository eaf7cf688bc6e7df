/**
 * A chat card at its height cap (advisor.css: 1024×768 and wider, no hand-over form open) keeps
 * its controls in sight: the reply box, «Invia», the close form and the hand-over row. The
 * transcript gives way first (flex, down to its minimum, 6rem); past that, a long reply (ready answers
 * put in, growToFit in lib/ui.js) stops growing and scrolls inside its box, instead of the card
 * scrolling and the controls under the box leaving the card's view.
 *
 * Apart from advisor.js: it measures the laid-out card, which CSS alone cannot do here (the box's
 * height is set by growToFit, and a height set on it is not shrunk by the flex layout around it).
 */

/** The reply box keeps at least this much (about three lines) however crowded the card. */
const MIN_REPLY_PX = 72;

/**
 * Watches one card. `card`: the <article>; `log`: the transcript, which takes what is left; `reply`:
 * the reply box. The card needs to call nothing: what changes its parts' heights is watched here.
 */
export function keepControlsInSight(card, log, reply) {
  let frame = 0;
  const fit = () => {
    cancelAnimationFrame(frame);
    frame = 0;
    reply.style.maxHeight = ''; // the stylesheet's cap, then as much of it as the card has room for
    if (!card.isConnected || reply.offsetHeight === 0) return;
    const over = card.scrollHeight - card.clientHeight;
    if (over > 1) reply.style.maxHeight = `${Math.max(MIN_REPLY_PX, reply.offsetHeight - over)}px`;
  };
  // Run after growToFit's own input listener (registered before this one), so the box has its new height.
  reply.addEventListener('input', fit);
  // Anything else on the card that changes height (the requests and history arriving or unfolded, a
  // hand-over form opened, the ready answers' picker shown, words in another language), and the card
  // itself (its cap follows the window's height): fitted in the next frame, not inside the observer's
  // callback, whose changes to what it watches would be reported again as a loop.
  const later = () => {
    if (!frame) frame = requestAnimationFrame(fit);
  };
  const watch = new ResizeObserver(later);
  watch.observe(card);
  for (const part of card.children) if (part !== log) watch.observe(part);
}
