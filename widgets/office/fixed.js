/**
 * A field's message goes away once the field is fixed, as the operator types or chooses, rather than staying
 * on screen until the next «Invia» ("Scrivi il testo della risposta." under a text being written).
 *
 * Only a field marked invalid clears the message: the form's one message may be about another field (the
 * files, the outcome), which this field's typing does not fix.
 */

/**
 * @param {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} field
 * @param {HTMLElement} error the form's message
 * @param {(value: string) => boolean} fixed whether the field's value no longer has the problem said
 */
export function clearWhenFixed(field, error, fixed) {
  const check = () => {
    if (field.getAttribute('aria-invalid') !== 'true' || !fixed(field.value)) return;
    field.removeAttribute('aria-invalid');
    error.textContent = '';
  };
  field.addEventListener('input', check);
  field.addEventListener('change', check);
}
