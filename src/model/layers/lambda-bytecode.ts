/**
 * What a code object's instructions compute, found without running them:
 * the opcode numbers of each CPython version (only loads, calls and the
 * return), and a symbolic run of the instructions over a stack of
 * expressions. Anything else (arithmetic, closures, branches) yields null,
 * so a Lambda never runs as something it might not be. Pure.
 */
import { IPyCode, PyValue } from './lambda-marshal';

/** An expression the code computes. */
export type Expr =
  | { k: 'arg'; name: string }
  | { k: 'global'; name: string }
  | { k: 'attr'; obj: Expr; name: string }
  | { k: 'const'; value: PyValue }
  | { k: 'call'; fn: Expr; args: Expr[]; kwargs: Array<[string, Expr]> };

/** One Python version's encoding of the instructions understood here. */
export interface IOpcodeTable {
  /** Instructions are (op, arg) words (3.6+) rather than 1 or 3 bytes. */
  wordcode: boolean;
  /** 3.11+: `(0, 0)` cache words follow some instructions. */
  caches: boolean;
  ops: { [op: number]: string };
  /** LOAD_GLOBAL's name index is `arg >> 1` (3.11+). */
  globalShift: boolean;
  /** LOAD_ATTR's name index is `arg >> 1` (3.12). */
  attrShift: boolean;
}

/** The opcode tables that may have written code of this layout. */
export function tablesFor(layout: IPyCode['layout']): IOpcodeTable[] {
  switch (layout) {
    case '2':
      return [Private.PY2];
    case '3.0-3.7':
      // 3.0-3.5 encode like 2.7; 3.6-3.7 use wordcode.
      return [Private.PY36, Private.PY2];
    case '3.8-3.10':
      return [Private.PY36];
    default:
      return [Private.PY311, Private.PY312];
  }
}

/** The expression the code returns, read with `table`; null when not understood. */
export function evaluate(code: IPyCode, table: IOpcodeTable): Expr | null {
  const run = new Private.SymbolicRun(code, table);
  const b = code.code;
  let ext = 0;
  try {
    for (let at = 0; at < b.length;) {
      const op = b[at];
      let arg = 0;
      if (table.wordcode) {
        arg = b[at + 1] | ext;
        at += 2;
      } else if (op >= 90) {
        arg = b[at + 1] | (b[at + 2] << 8) | ext;
        at += 3;
      } else {
        at += 1;
      }
      if (op === 0 && table.caches) {
        continue;
      }
      const opname = table.ops[op];
      if (!opname) {
        return null;
      }
      if (opname === 'EXTENDED_ARG') {
        ext = arg << (table.wordcode ? 8 : 16);
        continue;
      }
      ext = 0;
      const result = run.step(opname, arg);
      if (result !== Private.NEXT) {
        return result;
      }
    }
  } catch {
    return null;
  }
  return null;
}

namespace Private {
  const CLASSIC: { [op: number]: string } = {
    9: 'NOP',
    83: 'RETURN_VALUE',
    100: 'LOAD_CONST',
    101: 'LOAD_NAME',
    106: 'LOAD_ATTR',
    116: 'LOAD_GLOBAL',
    124: 'LOAD_FAST',
    131: 'CALL_FUNCTION'
  };

  /** The opcodes 3.11 and 3.12 share. */
  const MODERN: { [op: number]: string } = {
    2: 'PUSH_NULL',
    9: 'NOP',
    83: 'RETURN_VALUE',
    100: 'LOAD_CONST',
    101: 'LOAD_NAME',
    106: 'LOAD_ATTR',
    116: 'LOAD_GLOBAL',
    124: 'LOAD_FAST',
    144: 'EXTENDED_ARG',
    151: 'RESUME',
    171: 'CALL',
    172: 'KW_NAMES'
  };

  export const PY2: IOpcodeTable = {
    wordcode: false,
    caches: false,
    ops: { ...CLASSIC, 145: 'EXTENDED_ARG' },
    globalShift: false,
    attrShift: false
  };
  export const PY36: IOpcodeTable = {
    wordcode: true,
    caches: false,
    ops: {
      ...CLASSIC,
      141: 'CALL_FUNCTION_KW',
      144: 'EXTENDED_ARG',
      160: 'LOAD_METHOD',
      161: 'CALL_METHOD'
    },
    globalShift: false,
    attrShift: false
  };
  export const PY311: IOpcodeTable = {
    wordcode: true,
    caches: true,
    ops: { ...MODERN, 160: 'LOAD_METHOD', 166: 'PRECALL' },
    globalShift: true,
    attrShift: false
  };
  export const PY312: IOpcodeTable = {
    wordcode: true,
    caches: true,
    ops: { ...MODERN, 121: 'RETURN_CONST', 127: 'LOAD_FAST_CHECK' },
    globalShift: true,
    attrShift: true
  };

  /** The NULL / self slot of 3.7+ method calls and 3.11+ calls. */
  const NULL = { k: 'const', value: null, marker: true } as const;

  type Slot = Expr | typeof NULL;

  /** `step` found no result yet: go on with the next instruction. */
  export const NEXT = Symbol('next');

  /** The stack of expressions while the instructions are read. */
  export class SymbolicRun {
    constructor(
      private _code: IPyCode,
      private _table: IOpcodeTable
    ) {}

    /** One instruction: NEXT, the returned expression, or null (not understood). */
    step(opname: string, arg: number): Expr | null | typeof NEXT {
      switch (opname) {
        case 'NOP':
        case 'RESUME':
        case 'PRECALL':
          return NEXT;
        case 'PUSH_NULL':
          this._stack.push(NULL);
          return NEXT;
        case 'KW_NAMES': {
          const names = this._code.consts[arg];
          if (!Array.isArray(names)) {
            return null;
          }
          this._kwNames = names.map(String);
          return NEXT;
        }
        case 'CALL':
        case 'CALL_METHOD':
        case 'CALL_FUNCTION':
        case 'CALL_FUNCTION_KW':
          return this._call(opname, arg);
        case 'RETURN_VALUE': {
          const value = this._popExpr();
          return this._stack.length === 0 ? value : null;
        }
        default:
          return this._load(opname, arg);
      }
    }

    /** The LOAD_* instructions (anything else is not understood). */
    private _load(opname: string, arg: number): null | typeof NEXT {
      const { _code: code, _table: table, _stack: stack } = this;
      switch (opname) {
        case 'LOAD_CONST':
          if (arg >= code.consts.length) {
            return null;
          }
          stack.push({ k: 'const', value: code.consts[arg] });
          return NEXT;
        case 'LOAD_GLOBAL':
        case 'LOAD_NAME': {
          const shifted = opname === 'LOAD_GLOBAL' && table.globalShift;
          if (shifted && arg & 1) {
            stack.push(NULL);
          }
          stack.push({
            k: 'global',
            name: this._name(shifted ? arg >> 1 : arg)
          });
          return NEXT;
        }
        case 'LOAD_FAST':
        case 'LOAD_FAST_CHECK':
          if (arg >= code.varnames.length) {
            return null;
          }
          stack.push({ k: 'arg', name: code.varnames[arg] });
          return NEXT;
        case 'LOAD_ATTR': {
          const obj = this._popExpr();
          if (table.attrShift && (arg & 1) === 1) {
            stack.push(NULL);
          }
          const name = this._name(table.attrShift ? arg >> 1 : arg);
          stack.push({ k: 'attr', obj, name });
          return NEXT;
        }
        case 'LOAD_METHOD': {
          const obj = this._popExpr();
          stack.push(NULL);
          stack.push({ k: 'attr', obj, name: this._name(arg) });
          return NEXT;
        }
        default:
          // RETURN_CONST and anything unknown.
          return null;
      }
    }

    /** A call: positional arguments, then keywords named by the opcode's own rule. */
    private _call(opname: string, arg: number): null | typeof NEXT {
      let kw: string[] = [];
      if (opname === 'CALL_FUNCTION_KW') {
        const names = this._popExpr();
        if (names.k !== 'const' || !Array.isArray(names.value)) {
          return null;
        }
        kw = names.value.map(String);
      } else if (opname === 'CALL') {
        kw = this._kwNames ?? [];
        this._kwNames = null;
      } else if (opname === 'CALL_FUNCTION' && !this._table.wordcode) {
        return this._legacyCall(arg);
      }
      const args: Expr[] = [];
      for (let i = 0; i < arg; i++) {
        args.unshift(this._popExpr());
      }
      const fn = this._popExpr();
      const stack = this._stack;
      if (stack.length && stack[stack.length - 1] === NULL) {
        stack.pop();
      }
      const positional = args.slice(0, args.length - kw.length);
      const kwargs = kw.map(
        (k, i) => [k, args[positional.length + i]] as [string, Expr]
      );
      stack.push({ k: 'call', fn, args: positional, kwargs });
      return NEXT;
    }

    /** 2.7 / 3.0-3.5: low byte positional count, high byte keyword pairs. */
    private _legacyCall(arg: number): null | typeof NEXT {
      const pos = arg & 0xff;
      const pairs = (arg >> 8) & 0xff;
      const kwargs: Array<[string, Expr]> = [];
      for (let i = 0; i < pairs; i++) {
        const value = this._popExpr();
        const key = this._popExpr();
        if (key.k !== 'const' || typeof key.value !== 'string') {
          return null;
        }
        kwargs.unshift([key.value, value]);
      }
      const args: Expr[] = [];
      for (let i = 0; i < pos; i++) {
        args.unshift(this._popExpr());
      }
      this._stack.push({ k: 'call', fn: this._popExpr(), args, kwargs });
      return NEXT;
    }

    private _popExpr(): Expr {
      if (!this._stack.length) {
        throw new Error('stack underflow');
      }
      const v = this._stack.pop()!;
      if (v === NULL) {
        throw new Error('NULL used as a value');
      }
      return v as Expr;
    }

    private _name(i: number): string {
      if (i < 0 || i >= this._code.names.length) {
        throw new Error('bad name index');
      }
      return this._code.names[i];
    }

    private _stack: Slot[] = [];
    private _kwNames: string[] | null = null;
  }
}
