/**
 * Lambda layers. Their Python code cannot run here, so a Lambda is either
 * mapped explicitly by the user (`{"lambda_1": "sum(axis=1)"}`) or
 * recognised from the names visible in its stored (marshalled) code plus the
 * shapes around it; otherwise loading fails naming the layer and listing
 * the accepted forms.
 */
import { softmaxAxis } from './activations';
import {
  IBuildContext,
  ILayer,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  layerError,
  Shape
} from './base';
import { formatDims } from '../shapes';

/** The Lambda semantics accepted in an explicit mapping. `axis` counts the batch axis (as in Keras code). */
export const LAMBDA_FORMS = [
  'sum(axis=N)',
  'mean(axis=N)',
  'max(axis=N)',
  'min(axis=N)',
  'sum(axis=N, keepdims=true)',
  'mean(axis=N, keepdims=true)',
  'max(axis=N, keepdims=true)',
  'min(axis=N, keepdims=true)',
  'softmax(axis=N)',
  'expand_dims(axis=N)',
  'squeeze(axis=N)',
  'identity',
  'square',
  'scale(C)'
] as const;

/** A parsed Lambda operation. */
export type LambdaOp =
  | { kind: 'sum' | 'mean' | 'max' | 'min'; axis: number; keepDims: boolean }
  | { kind: 'softmax' | 'expand_dims' | 'squeeze'; axis: number }
  | { kind: 'identity' | 'square' }
  | { kind: 'scale'; factor: number };

/** Parses one mapping expression (`K.`, `tf.`, `reduce_` prefixes and a leading `x,` are tolerated). */
export function parseLambdaForm(text: string): LambdaOp | null {
  let s = text.trim().replace(/\s+/g, '');
  s = s.replace(
    /^(keras\.ops\.|keras\.backend\.|K\.|tf\.math\.|tf\.|np\.|ops\.)/,
    ''
  );
  s = s.replace(/^reduce_/, '');
  if (/^(identity|x|lambdax:x)$/i.test(s)) {
    return { kind: 'identity' };
  }
  if (/^(square|x\*\*2|pow\(2\))$/i.test(s)) {
    return { kind: 'square' };
  }
  const scale =
    /^(?:scale|multiply)\((-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\)$/i.exec(s);
  if (scale) {
    return { kind: 'scale', factor: Number(scale[1]) };
  }
  const m =
    /^(sum|mean|max|min|softmax|expand_dims|squeeze)\((?:x,)?(?:axis=)?(-?\d+)(?:,keepdims=(true|false))?\)$/i.exec(
      s
    );
  if (!m) {
    return null;
  }
  const kind = m[1].toLowerCase();
  const axis = Number(m[2]);
  if (kind === 'softmax' || kind === 'expand_dims' || kind === 'squeeze') {
    return m[3] ? null : { kind, axis };
  }
  return {
    kind: kind as 'sum' | 'mean' | 'max' | 'min',
    axis,
    keepDims: (m[3] ?? '').toLowerCase() === 'true'
  };
}

/** Canonical text of an op (used in messages and reports). */
export function formatLambdaOp(op: LambdaOp): string {
  switch (op.kind) {
    case 'identity':
    case 'square':
      return op.kind;
    case 'scale':
      return `scale(${op.factor})`;
    case 'softmax':
    case 'expand_dims':
    case 'squeeze':
      return `${op.kind}(axis=${op.axis})`;
    default:
      return `${op.kind}(axis=${op.axis}${op.keepDims ? ', keepdims=true' : ''})`;
  }
}

/** Names (identifiers) and small integer constants visible in a Lambda's stored code. */
export interface ICodeClues {
  names: string[];
  ints: number[];
}

/** Extracts identifiers and int constants from a Keras-serialised Lambda function. */
export function codeClues(config: { [key: string]: any }): ICodeClues {
  const fn = config.function;
  if (config.function_type === 'function' && typeof fn === 'string') {
    const whole = fn.split(/[^A-Za-z0-9_]+/).filter(Boolean);
    return {
      names: [...whole, ...whole.flatMap(n => n.split('_'))].filter(Boolean),
      ints: []
    };
  }
  let code: unknown = fn;
  if (Array.isArray(fn)) {
    code = fn[0];
  } else if (fn && typeof fn === 'object') {
    code =
      (fn as { config?: { code?: unknown } }).config?.code ??
      (fn as { code?: unknown }).code;
  }
  if (typeof code !== 'string') {
    return { names: [], ints: [] };
  }
  return Private.scanMarshal(Private.codeBytes(code));
}

const REDUCTIONS: { [name: string]: 'sum' | 'mean' | 'max' | 'min' } = {
  sum: 'sum',
  reduce_sum: 'sum',
  mean: 'mean',
  reduce_mean: 'mean',
  average: 'mean',
  max: 'max',
  reduce_max: 'max',
  amax: 'max',
  min: 'min',
  reduce_min: 'min',
  amin: 'min'
};

/** Recognises a reduction from code names, int constants and shapes; null when unsure. */
export function recognizeLambda(
  spec: ILayerSpec,
  inputShape: Shape
): LambdaOp | null {
  const clues = codeClues(spec.config);
  const kinds = new Set(clues.names.map(n => REDUCTIONS[n]).filter(Boolean));
  if (kinds.size !== 1) {
    return null;
  }
  const kind = [...kinds][0];
  const rank = inputShape.length + 1;
  const keepDims = clues.names.includes('keepdims') ? null : false;
  const axes = [
    ...new Set(clues.ints.filter(i => i !== 0 && i >= -rank + 1 && i < rank))
  ];
  let axis: number | null = null;
  if (axes.length === 1) {
    axis = axes[0] < 0 ? axes[0] + rank : axes[0];
  } else if (axes.length === 0) {
    // No explicit axis constant: the declared output shape can tell.
    const declared = spec.config.output_shape;
    if (Array.isArray(declared) && declared.length === inputShape.length - 1) {
      for (let a = 0; a < inputShape.length; a++) {
        const rest = inputShape.filter((_, i) => i !== a);
        if (
          rest.every(
            (d, i) => d === null || declared[i] === null || d === declared[i]
          )
        ) {
          axis = a + 1;
          break;
        }
      }
    }
  }
  if (axis === null || keepDims === null) {
    return null;
  }
  return { kind, axis, keepDims: false };
}

/** The error for a Lambda that is neither mapped nor recognised. */
export function lambdaError(spec: ILayerSpec, detail: string) {
  return layerError(
    spec,
    `${detail}. Its Python code cannot run here: map it explicitly, e.g. ` +
      `{"${spec.name}": "sum(axis=1)"} (CLI: --lambda ${spec.name}=sum(axis=1)). ` +
      `Accepted forms: ${LAMBDA_FORMS.join(', ')}`
  );
}

export function createLambda(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  context: IBuildContext
): ILayer {
  if (inputShapes.length !== 1) {
    throw lambdaError(
      spec,
      'Lambda layers with several inputs cannot be mapped'
    );
  }
  const inShape = inputShapes[0];
  const mapped = context.lambdas[spec.name];
  let op: LambdaOp | null;
  if (mapped !== undefined) {
    op = parseLambdaForm(mapped);
    if (!op) {
      throw lambdaError(
        spec,
        `the mapping ${JSON.stringify(mapped)} is not an accepted form`
      );
    }
  } else {
    op = recognizeLambda(spec, inShape);
    if (!op) {
      throw lambdaError(
        spec,
        'its operation could not be recognised from the stored code'
      );
    }
  }
  const resolved = op;
  const rank = inShape.length + 1;
  let outputShape: Shape = inShape;
  if ('axis' in resolved) {
    const axis =
      resolved.axis < 0
        ? resolved.axis + rank + (resolved.kind === 'expand_dims' ? 1 : 0)
        : resolved.axis;
    const limit = resolved.kind === 'expand_dims' ? rank + 1 : rank;
    if (axis <= 0 || axis >= limit) {
      throw lambdaError(
        spec,
        `${formatLambdaOp(resolved)} does not fit an input of shape [batch, ${formatDims(inShape)}] (axis 0 is the batch)`
      );
    }
    (resolved as { axis: number }).axis = axis;
    const i = axis - 1;
    if (resolved.kind === 'expand_dims') {
      outputShape = [...inShape.slice(0, i), 1, ...inShape.slice(i)];
    } else if (resolved.kind === 'squeeze') {
      if (inShape[i] !== 1) {
        throw lambdaError(
          spec,
          `squeeze(axis=${axis}) needs size 1 on that axis`
        );
      }
      outputShape = inShape.filter((_, k) => k !== i);
    } else if (resolved.kind !== 'softmax') {
      outputShape = (resolved as { keepDims: boolean }).keepDims
        ? inShape.map((d, k) => (k === i ? 1 : d))
        : inShape.filter((_, k) => k !== i);
    }
  }
  return {
    name: spec.name,
    className: spec.className,
    outputShape,
    call(inputs: ITensor[], _masks: Array<IMask | null>) {
      return { output: Private.apply(resolved, inputs[0]), mask: null };
    }
  };
}

namespace Private {
  export function apply(op: LambdaOp, x: ITensor): ITensor {
    switch (op.kind) {
      case 'identity':
        return x;
      case 'square':
        return { shape: x.shape, data: x.data.map(v => v * v) };
      case 'scale':
        return { shape: x.shape, data: x.data.map(v => v * op.factor) };
      case 'softmax': {
        const data = new Float32Array(x.data);
        softmaxAxis(data, x.shape, op.axis);
        return { shape: x.shape, data };
      }
      case 'expand_dims':
        return {
          shape: [...x.shape.slice(0, op.axis), 1, ...x.shape.slice(op.axis)],
          data: x.data
        };
      case 'squeeze':
        return { shape: x.shape.filter((_, k) => k !== op.axis), data: x.data };
      default:
        return reduce(x, op.kind, op.axis, op.keepDims);
    }
  }

  export function reduce(
    x: ITensor,
    kind: 'sum' | 'mean' | 'max' | 'min',
    axis: number,
    keepDims: boolean
  ): ITensor {
    const shape = x.shape;
    let outer = 1;
    for (let i = 0; i < axis; i++) {
      outer *= shape[i];
    }
    const n = shape[axis];
    const inner = x.data.length / outer / Math.max(n, 1);
    const data = new Float32Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) {
        let acc = kind === 'max' ? -Infinity : kind === 'min' ? Infinity : 0;
        for (let j = 0; j < n; j++) {
          const v = x.data[(o * n + j) * inner + k];
          acc =
            kind === 'max'
              ? Math.max(acc, v)
              : kind === 'min'
                ? Math.min(acc, v)
                : acc + v;
        }
        data[o * inner + k] = kind === 'mean' ? acc / n : acc;
      }
    }
    const outShape = keepDims
      ? shape.map((d, i) => (i === axis ? 1 : d))
      : shape.filter((_, i) => i !== axis);
    return { shape: outShape, data };
  }

  /** Keras 2.2+ / Keras 3 store base64 marshal bytes; Keras <= 2.1 (Python 2) a latin-1 string. */
  export function codeBytes(code: string): Uint8Array {
    const compact = code.replace(/\s+/g, '');
    if (
      /^[A-Za-z0-9+/]+=*$/.test(compact) &&
      compact.length % 4 === 0 &&
      compact.length >= 8
    ) {
      const bin = atobSafe(compact);
      if (bin !== null) {
        return Uint8Array.from(bin, c => c.charCodeAt(0));
      }
    }
    return Uint8Array.from(code, c => c.charCodeAt(0) & 0xff);
  }

  export function atobSafe(text: string): string | null {
    try {
      return typeof atob === 'function' ? atob(text) : null;
    } catch {
      return null;
    }
  }

  /** Collects marshal string objects that look like identifiers, and TYPE_INT constants. */
  export function scanMarshal(bytes: Uint8Array): ICodeClues {
    const names = new Set<string>();
    const ints: number[] = [];
    const ident = /^[A-Za-z_][A-Za-z0-9_]*$/;
    const take = (from: number, length: number) => {
      if (length <= 0 || length > 64 || from + length > bytes.length) {
        return;
      }
      let s = '';
      for (let i = from; i < from + length; i++) {
        s += String.fromCharCode(bytes[i]);
      }
      if (ident.test(s)) {
        names.add(s);
      }
    };
    const u32 = (at: number) =>
      bytes[at] |
      (bytes[at + 1] << 8) |
      (bytes[at + 2] << 16) |
      (bytes[at + 3] << 24);
    for (let i = 0; i < bytes.length; i++) {
      const type = bytes[i] & 0x7f;
      if (type === 0x7a || type === 0x5a) {
        // short ascii (interned): 1-byte length
        take(i + 2, bytes[i + 1]);
      } else if (
        (type === 0x61 ||
          type === 0x41 ||
          type === 0x74 ||
          type === 0x73 ||
          type === 0x75) &&
        i + 5 <= bytes.length
      ) {
        // ascii / interned / string / unicode: 4-byte length
        take(i + 5, u32(i + 1));
      } else if (type === 0x69 && i + 5 <= bytes.length) {
        const v = u32(i + 1);
        if (v >= -8 && v <= 8) {
          ints.push(v);
        }
      }
    }
    return { names: [...names], ints };
  }
}
