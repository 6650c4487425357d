/**
 * Reading the Python code Keras stores for a Lambda layer (`marshal` bytes
 * of the function's code object, base64 in Keras 2.2+ and Keras 3) back into
 * a small expression tree such as `K.sum(x, axis=1)`, without running it.
 *
 * The code object layout and the opcode numbers differ between Python
 * versions; the layout is recognised from the bytes (`lambda-marshal.ts`)
 * and the instructions are evaluated symbolically with the opcode table of
 * that version (`lambda-bytecode.ts`). Only loads (global, attribute,
 * argument, constant), calls and the return are understood: anything else
 * (arithmetic, closures, branches) yields null, so a Lambda never runs as
 * something it might not be.
 * Covered: CPython 2.7, 3.0-3.10 (wordcode 3.6+), 3.11 and 3.12.
 */
import { evaluate, Expr, tablesFor } from './lambda-bytecode';
import { IPyCode, PyValue } from './lambda-marshal';

export type { Expr } from './lambda-bytecode';
export type { IPyCode, PyValue } from './lambda-marshal';
export { readMarshalCode } from './lambda-marshal';

/** The expression a one-argument function returns, or null when not understood. */
export function decompile(code: IPyCode): Expr | null {
  const results: Expr[] = [];
  for (const table of tablesFor(code.layout)) {
    const e = evaluate(code, table);
    if (e) {
      results.push(e);
    }
  }
  const texts = new Set(results.map(exprText));
  // Two opcode tables reading the same bytes differently: refuse.
  return texts.size === 1 ? results[0] : null;
}

/** Python-like text of an expression (`K.sum(x, axis=1)`). */
export function exprText(e: Expr): string {
  switch (e.k) {
    case 'arg':
    case 'global':
      return e.name;
    case 'attr':
      return `${exprText(e.obj)}.${e.name}`;
    case 'const':
      return Private.constText(e.value);
    case 'call':
      return `${exprText(e.fn)}(${[
        ...e.args.map(exprText),
        ...e.kwargs.map(([k, v]) => `${k}=${exprText(v)}`)
      ].join(', ')})`;
  }
}

namespace Private {
  export function constText(v: PyValue): string {
    if (v === null) {
      return 'None';
    }
    if (typeof v === 'boolean') {
      return v ? 'True' : 'False';
    }
    if (typeof v === 'number') {
      return String(v);
    }
    if (typeof v === 'string') {
      return JSON.stringify(v);
    }
    if (Array.isArray(v)) {
      return `(${v.map(constText).join(', ')}${v.length === 1 ? ',' : ''})`;
    }
    return '...';
  }
}
