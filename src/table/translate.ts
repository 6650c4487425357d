/**
 * The part of a JupyterLab translation bundle the pure table modules use, and
 * the English identity used by the exports and tests. Pure.
 */

/** The translation domain of every user string of the extension (one for the whole package). */
export const TRANSLATION_DOMAIN = 'jupyterlab_char_attention';

/** `__` and `_n` of `TranslationBundle`, with `%1`-style arguments. */
export interface ITranslate {
  __(msgid: string, ...args: unknown[]): string;
  _n(singular: string, plural: string, n: number, ...args: unknown[]): string;
}

/** Replace `%1`, `%2`... by the arguments. */
function fill(text: string, args: unknown[]): string {
  return text.replace(/%(\d+)/g, (match, index) =>
    Number(index) >= 1 && Number(index) <= args.length
      ? String(args[Number(index) - 1])
      : match
  );
}

/** No translation: the English strings with their arguments. */
export const ENGLISH: ITranslate = {
  __: (msgid, ...args) => fill(msgid, args),
  _n: (singular, plural, n, ...args) =>
    fill(n === 1 ? singular : plural, [n, ...args])
};
