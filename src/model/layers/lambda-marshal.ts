/**
 * Python's `marshal` format, as far as code objects need it: the value
 * types a code object holds, and the code object layouts of CPython 2.7,
 * 3.0-3.7, 3.8-3.10 and 3.11+, recognised from the bytes. What the
 * instructions compute is `lambda-bytecode.ts`. Pure; nothing is run.
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

/** Parses marshalled code bytes; null when they are not a code object. */
export function readMarshalCode(bytes: Uint8Array): IPyCode | null {
  try {
    const value = new MarshalReader(bytes).read();
    return value && (value as IPyCode).kind === 'code'
      ? (value as IPyCode)
      : null;
  } catch {
    return null;
  }
}

/** Reads one marshal stream; throws on anything truncated or unknown. */
class MarshalReader {
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

  /** The value of one marshal type code. */
  private _value(type: string): PyValue {
    // `undefined`, not null, means "not this group": None is a value.
    for (const group of [this._constant, this._number, this._string]) {
      const value = group.call(this, type);
      if (value !== undefined) {
        return value;
      }
    }
    return this._container(type);
  }

  /** Singletons, and values kept only as placeholders (undefined: not one). */
  private _constant(type: string): PyValue | undefined {
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
      case 'y':
        this._at += 16;
        return null;
      case 'x': {
        this._text(this._byte());
        this._text(this._byte());
        return null;
      }
      default:
        return undefined;
    }
  }

  /** int, int64, long, float (binary and text); undefined: not a number. */
  private _number(type: string): PyValue | undefined {
    switch (type) {
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
      default:
        return undefined;
    }
  }

  /** bytes and the string types; undefined: not a string. */
  private _string(type: string): PyValue | undefined {
    switch (type) {
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
      default:
        return undefined;
    }
  }

  /** References, tuples, lists, sets, dicts and code objects. */
  private _container(type: string): PyValue {
    switch (type) {
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
