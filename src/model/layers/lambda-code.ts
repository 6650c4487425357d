/**
 * Reading the Python code Keras stores for a Lambda layer (`marshal` bytes
 * of the function's code object, base64 in Keras 2.2+ and Keras 3) back into
 * a small expression tree such as `K.sum(x, axis=1)`, without running it.
 *
 * The code object layout and the opcode numbers differ between Python
 * versions; the layout is recognised from the bytes and the instructions are
 * evaluated symbolically with the opcode table of that version. Only loads
 * (global, attribute, argument, constant), calls and the return are
 * understood: anything else (arithmetic, closures, branches) yields null,
 * so a Lambda never runs as something it might not be.
 * Covered: CPython 2.7, 3.0-3.10 (wordcode 3.6+), 3.11 and 3.12.
 */

/** A Python value from a marshal stream (only what code objects hold). */
export type PyValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | PyValue[]
  | IPyCode
  | { ellipsis: true };

/** The fields of a code object used here. */
export interface IPyCode {
  kind: 'code';
  layout: '2' | '3.0-3.7' | '3.8-3.10' | '3.11+';
  argcount: number;
  code: Uint8Array;
  consts: PyValue[];
  names: string[];
  /** Argument and local names (`co_varnames` / the locals of `co_localsplusnames`). */
  varnames: string[];
  freevars: string[];
  name: string;
}

/** An expression the code computes. */
export type Expr =
  | { k: 'arg'; name: string }
  | { k: 'global'; name: string }
  | { k: 'attr'; obj: Expr; name: string }
  | { k: 'const'; value: PyValue }
  | { k: 'call'; fn: Expr; args: Expr[]; kwargs: Array<[string, Expr]> };

/** Parses marshalled code bytes; null when they are not a code object. */
export function readMarshalCode(bytes: Uint8Array): IPyCode | null {
  try {
    const value = new Private.Reader(bytes).read();
    return value && (value as IPyCode).kind === 'code'
      ? (value as IPyCode)
      : null;
  } catch {
    return null;
  }
}

/** The expression a one-argument function returns, or null when not understood. */
export function decompile(code: IPyCode): Expr | null {
  const results: Expr[] = [];
  for (const table of Private.tablesFor(code.layout)) {
    const e = Private.evaluate(code, table);
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

  export class Reader {
    constructor(private _b: Uint8Array) {}

    read(): PyValue {
      const raw = this._byte();
      const flag = (raw & 0x80) !== 0;
      const type = String.fromCharCode(raw & 0x7f);
      let slot = -1;
      if (flag) {
        slot = this._refs.length;
        this._refs.push(null);
      }
      const value = this._value(type);
      if (flag) {
        this._refs[slot] = value;
      }
      return value;
    }

    private _value(type: string): PyValue {
      switch (type) {
        case 'N':
          return null;
        case 'F':
          return false;
        case 'T':
          return true;
        case '.':
          return { ellipsis: true };
        case 'S':
          return null;
        case 'i':
          return this._i32();
        case 'I': {
          const lo = this._u32();
          const hi = this._i32();
          return hi * 4294967296 + lo;
        }
        case 'l': {
          const n = this._i32();
          let v = 0;
          let scale = 1;
          for (let i = 0; i < Math.abs(n); i++) {
            v += this._u16() * scale;
            scale *= 32768;
          }
          return n < 0 ? -v : v;
        }
        case 'g': {
          const view = new DataView(
            this._b.buffer,
            this._b.byteOffset + this._at,
            8
          );
          this._at += 8;
          return view.getFloat64(0, true);
        }
        case 'f': {
          const n = this._byte();
          return Number(this._text(n));
        }
        case 'y':
          this._at += 16;
          return null;
        case 'x': {
          this._text(this._byte());
          this._text(this._byte());
          return null;
        }
        case 's':
          return this._bytes(this._i32());
        case 't': {
          // Python 2: interned str, remembered for 'R'; Python 3: interned unicode.
          const s = this._text(this._i32());
          this._interned.push(s);
          return s;
        }
        case 'u':
          return new TextDecoder().decode(this._bytes(this._i32()));
        case 'a':
        case 'A':
          return this._text(this._i32());
        case 'z':
        case 'Z':
          return this._text(this._byte());
        case 'R':
          return this._interned[this._i32()] ?? null;
        case 'r': {
          const v = this._refs[this._i32()];
          if (v === undefined) {
            throw new Error('bad ref');
          }
          return v;
        }
        case '(':
        case '[':
        case '<':
        case '>':
          return this._seq(this._i32());
        case ')':
          return this._seq(this._byte());
        case '{': {
          const out: PyValue[] = [];
          for (;;) {
            if (String.fromCharCode(this._b[this._at] & 0x7f) === '0') {
              this._at++;
              return out;
            }
            out.push(this.read(), this.read());
          }
        }
        case 'c':
          return this._code();
        default:
          throw new Error(`marshal type ${type}`);
      }
    }

    private _code(): IPyCode {
      const start = this._at;
      for (const ints of [5, 6, 4]) {
        this._at = start;
        if ((this._b[start + 4 * ints] & 0x7f) !== 0x73) {
          continue;
        }
        try {
          return this._codeBody(ints);
        } catch {
          continue;
        }
      }
      throw new Error('unknown code object layout');
    }

    private _codeBody(ints: number): IPyCode {
      const head: number[] = [];
      for (let i = 0; i < ints; i++) {
        head.push(this._i32());
      }
      const code = this.read();
      const consts = this.read();
      const names = this.read();
      const a = this.read();
      const b = this.read();
      if (!(code instanceof Uint8Array) || !Array.isArray(consts)) {
        throw new Error('not code');
      }
      const strings = (v: PyValue) =>
        (Array.isArray(v) ? v : []).map(s => String(s));
      if (ints === 5 && b instanceof Uint8Array) {
        // 3.11+: localsplusnames, localspluskinds, filename, name, qualname, ...
        this.read();
        const name = this.read();
        const kinds = b;
        const all = strings(a);
        // Kind bit 0x80 = free variable, 0x40 = cell.
        return {
          kind: 'code',
          layout: '3.11+',
          argcount: head[0],
          code,
          consts,
          names: strings(names),
          varnames: all.filter((_, i) => !(kinds[i] & 0x80)),
          freevars: all.filter((_, i) => (kinds[i] & 0x80) !== 0),
          name: String(name)
        };
      }
      // 2.x / 3.0-3.10: varnames, freevars, cellvars, filename, name, ...
      this.read();
      this.read();
      const name = this.read();
      return {
        kind: 'code',
        layout: ints === 4 ? '2' : ints === 5 ? '3.0-3.7' : '3.8-3.10',
        argcount: head[0],
        code,
        consts,
        names: strings(names),
        varnames: strings(a),
        freevars: strings(b),
        name: String(name)
      };
    }

    private _seq(n: number): PyValue[] {
      const out: PyValue[] = [];
      for (let i = 0; i < n; i++) {
        out.push(this.read());
      }
      return out;
    }

    private _byte(): number {
      if (this._at >= this._b.length) {
        throw new Error('truncated');
      }
      return this._b[this._at++];
    }

    private _u16(): number {
      return this._byte() | (this._byte() << 8);
    }

    private _u32(): number {
      return this._i32() >>> 0;
    }

    private _i32(): number {
      const v =
        this._byte() |
        (this._byte() << 8) |
        (this._byte() << 16) |
        (this._byte() << 24);
      return v;
    }

    private _bytes(n: number): Uint8Array {
      if (n < 0 || this._at + n > this._b.length) {
        throw new Error('truncated');
      }
      const out = this._b.slice(this._at, this._at + n);
      this._at += n;
      return out;
    }

    private _text(n: number): string {
      // Byte by byte, without a spread: n comes from the file.
      const bytes = this._bytes(n);
      let text = '';
      for (let i = 0; i < bytes.length; i++) {
        text += String.fromCharCode(bytes[i]);
      }
      return text;
    }

    private _at = 0;
    private _refs: PyValue[] = [];
    private _interned: string[] = [];
  }

  /** One Python version's encoding of the instructions understood here. */
  export interface ITable {
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

  const PY2: ITable = {
    wordcode: false,
    caches: false,
    ops: { ...CLASSIC, 145: 'EXTENDED_ARG' },
    globalShift: false,
    attrShift: false
  };
  const PY36: ITable = {
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
  const PY311: ITable = {
    wordcode: true,
    caches: true,
    ops: {
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
      160: 'LOAD_METHOD',
      166: 'PRECALL',
      171: 'CALL',
      172: 'KW_NAMES'
    },
    globalShift: true,
    attrShift: false
  };
  const PY312: ITable = {
    wordcode: true,
    caches: true,
    ops: {
      2: 'PUSH_NULL',
      9: 'NOP',
      83: 'RETURN_VALUE',
      100: 'LOAD_CONST',
      101: 'LOAD_NAME',
      106: 'LOAD_ATTR',
      116: 'LOAD_GLOBAL',
      121: 'RETURN_CONST',
      124: 'LOAD_FAST',
      127: 'LOAD_FAST_CHECK',
      144: 'EXTENDED_ARG',
      151: 'RESUME',
      171: 'CALL',
      172: 'KW_NAMES'
    },
    globalShift: true,
    attrShift: true
  };

  export function tablesFor(layout: IPyCode['layout']): ITable[] {
    switch (layout) {
      case '2':
        return [PY2];
      case '3.0-3.7':
        // 3.0-3.5 encode like 2.7; 3.6-3.7 use wordcode.
        return [PY36, PY2];
      case '3.8-3.10':
        return [PY36];
      default:
        return [PY311, PY312];
    }
  }

  const NULL = { k: 'const', value: null, marker: true } as const;

  type Slot = Expr | typeof NULL;

  export function evaluate(code: IPyCode, table: ITable): Expr | null {
    const b = code.code;
    const stack: Slot[] = [];
    let kwNames: string[] | null = null;
    let ext = 0;
    const pop = (): Slot => {
      if (!stack.length) {
        throw new Error('stack underflow');
      }
      return stack.pop()!;
    };
    const popExpr = (): Expr => {
      const v = pop();
      if (v === NULL) {
        throw new Error('NULL used as a value');
      }
      return v as Expr;
    };
    const name = (i: number) => {
      if (i < 0 || i >= code.names.length) {
        throw new Error('bad name index');
      }
      return code.names[i];
    };
    const call = (fn: Expr, args: Expr[], kw: string[]) => {
      const positional = args.slice(0, args.length - kw.length);
      const kwargs = kw.map(
        (k, i) => [k, args[positional.length + i]] as [string, Expr]
      );
      return { k: 'call', fn, args: positional, kwargs } as Expr;
    };
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
        switch (opname) {
          case 'NOP':
          case 'RESUME':
          case 'PRECALL':
            break;
          case 'PUSH_NULL':
            stack.push(NULL);
            break;
          case 'LOAD_CONST':
            if (arg >= code.consts.length) {
              return null;
            }
            stack.push({ k: 'const', value: code.consts[arg] });
            break;
          case 'LOAD_GLOBAL':
          case 'LOAD_NAME': {
            const shifted = opname === 'LOAD_GLOBAL' && table.globalShift;
            if (shifted && arg & 1) {
              stack.push(NULL);
            }
            stack.push({ k: 'global', name: name(shifted ? arg >> 1 : arg) });
            break;
          }
          case 'LOAD_FAST':
          case 'LOAD_FAST_CHECK':
            if (arg >= code.varnames.length) {
              return null;
            }
            stack.push({ k: 'arg', name: code.varnames[arg] });
            break;
          case 'LOAD_ATTR': {
            const obj = popExpr();
            const method = table.attrShift && (arg & 1) === 1;
            if (method) {
              stack.push(NULL);
            }
            stack.push({
              k: 'attr',
              obj,
              name: name(table.attrShift ? arg >> 1 : arg)
            });
            break;
          }
          case 'LOAD_METHOD': {
            const obj = popExpr();
            stack.push(NULL);
            stack.push({ k: 'attr', obj, name: name(arg) });
            break;
          }
          case 'KW_NAMES': {
            const names = code.consts[arg];
            if (!Array.isArray(names)) {
              return null;
            }
            kwNames = names.map(String);
            break;
          }
          case 'CALL':
          case 'CALL_METHOD':
          case 'CALL_FUNCTION':
          case 'CALL_FUNCTION_KW': {
            let kw: string[] = [];
            let count = arg;
            if (opname === 'CALL_FUNCTION_KW') {
              const names = popExpr();
              if (names.k !== 'const' || !Array.isArray(names.value)) {
                return null;
              }
              kw = names.value.map(String);
            } else if (opname === 'CALL') {
              kw = kwNames ?? [];
              kwNames = null;
            } else if (opname === 'CALL_FUNCTION' && !table.wordcode) {
              // 2.7 / 3.0-3.5: low byte positional count, high byte keyword pairs.
              const pos = arg & 0xff;
              const pairs = (arg >> 8) & 0xff;
              const kwargs: Array<[string, Expr]> = [];
              for (let i = 0; i < pairs; i++) {
                const value = popExpr();
                const key = popExpr();
                if (key.k !== 'const' || typeof key.value !== 'string') {
                  return null;
                }
                kwargs.unshift([key.value, value]);
              }
              const args: Expr[] = [];
              for (let i = 0; i < pos; i++) {
                args.unshift(popExpr());
              }
              stack.push({ k: 'call', fn: popExpr(), args, kwargs });
              break;
            }
            const args: Expr[] = [];
            for (let i = 0; i < count; i++) {
              args.unshift(popExpr());
            }
            count = 0;
            const fn = popExpr();
            // The NULL / self slot of 3.7+ method calls and 3.11+ calls.
            if (stack.length && stack[stack.length - 1] === NULL) {
              stack.pop();
            }
            stack.push(call(fn, args, kw));
            break;
          }
          case 'RETURN_VALUE': {
            const value = popExpr();
            return stack.length === 0 ? value : null;
          }
          case 'RETURN_CONST':
            return null;
          default:
            return null;
        }
      }
    } catch {
      return null;
    }
    return null;
  }
}
