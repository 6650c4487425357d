/**
 * HTML escaping for the export (and any string put into markup). Pure.
 */

const TEXT_ESCAPES: { [char: string]: string } = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
};

/** Escape a string for HTML text or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, char => TEXT_ESCAPES[char]);
}

const BARE_ATTRIBUTE = /^[A-Za-z0-9.+_:-]+$/;

/**
 * An attribute value, unquoted when that is safe (numbers, class names) to
 * keep exports small, otherwise quoted and escaped.
 */
export function attributeValue(value: string): string {
  return BARE_ATTRIBUTE.test(value) ? value : `"${escapeHtml(value)}"`;
}
