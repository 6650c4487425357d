/**
 * Lambda layers. Their Python code cannot run here, so a Lambda is either
 * mapped explicitly by the user (`{"lambda_1": "sum(axis=1)"}`) or its
 * stored (marshalled) code reads exactly as a known reduction
 * (`K.sum(x, axis=1)`, `tf.reduce_sum(x, axis=1)`, ...; see `lambda-code.ts`),
 * which is then listed among the model's inferences. Otherwise loading fails
 * naming the layer and listing the accepted forms. The maths of each form,
 * forward and gradient, is in `lambda-ops.ts`.
 */
import { decompile, Expr, exprText, readMarshalCode } from './lambda-code';
import { applyLambdaOp, LambdaOp, lambdaOpBackward } from './lambda-ops';
import {
  IBuildContext,
  IGradientCall,
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

export type { LambdaOp };

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

/** What a Lambda's stored function is, as far as the file tells. */
export interface ILambdaCode {
  /** The expression its code returns (`K.sum(x, axis=1)`), when the code could be read. */
  text: string | null;
  expr: Expr | null;
  /** The argument's name in the code. */
  arg: string | null;
  /** Why the code could not be read (a named function, a closure, ...). */
  problem: string | null;
}

/** Reads the function a Keras 2 / tf.keras / Keras 3 Lambda config stores. */
export function lambdaCode(config: { [key: string]: any }): ILambdaCode {
  const fail = (problem: string): ILambdaCode => ({
    text: null,
    expr: null,
    arg: null,
    problem
  });
  const fn = config.function;
  let code: unknown = null;
  let closure: unknown = null;
  if (config.function_type === 'function' && typeof fn === 'string') {
    return fail(
      `it calls the Python function '${fn}', whose code the file does not hold`
    );
  }
  if (Array.isArray(fn)) {
    [code, , closure] = fn;
  } else if (fn && typeof fn === 'object') {
    const f = fn as { class_name?: string; config?: any; code?: unknown };
    if (f.class_name === 'function' || typeof f.config === 'string') {
      return fail(
        `it calls the Python function '${String(f.config)}', whose code the file does not hold`
      );
    }
    code = f.config?.code ?? f.code;
    closure = f.config?.closure ?? null;
  } else if (typeof fn === 'string') {
    code = fn;
  }
  if (typeof code !== 'string') {
    return fail('the file holds no code for it');
  }
  const parsed = readMarshalCode(Private.codeBytes(code));
  if (!parsed) {
    return fail('its stored code could not be read');
  }
  if (closure || parsed.freevars.length) {
    return fail('its code uses variables of the enclosing Python function');
  }
  const expr = parsed.argcount === 1 ? decompile(parsed) : null;
  if (!expr) {
    return fail(
      'its code is not a single call this reader understands (only loads, calls and the return are read)'
    );
  }
  return {
    text: exprText(expr),
    expr,
    arg: parsed.varnames[0] ?? null,
    problem: null
  };
}

/** Module paths whose reductions are known, by the function names they use. */
const REDUCTION_MODULES: { [module: string]: string } = {
  K: '',
  backend: '',
  'keras.backend': '',
  'tf.keras.backend': '',
  ops: '',
  'keras.ops': '',
  tf: 'reduce_',
  'tf.math': 'reduce_',
  tensorflow: 'reduce_',
  'tensorflow.math': 'reduce_'
};

/**
 * The reduction an expression is, exactly: `<module>.<sum|mean|max|min>(x,
 * axis=N[, keepdims=B])` (or `reduce_*` for TensorFlow) applied to the
 * Lambda's own argument; null for anything else.
 */
export function matchReduction(expr: Expr, arg: string): LambdaOp | null {
  if (expr.k !== 'call') {
    return null;
  }
  const chain: string[] = [];
  let f: Expr = expr.fn;
  while (f.k === 'attr') {
    chain.unshift(f.name);
    f = f.obj;
  }
  if (f.k !== 'global' || chain.length === 0) {
    return null;
  }
  const module = [f.name, ...chain.slice(0, -1)].join('.');
  const prefix = REDUCTION_MODULES[module];
  const fname = chain[chain.length - 1];
  if (prefix === undefined || !fname.startsWith(prefix)) {
    return null;
  }
  const kind = fname.slice(prefix.length);
  if (!['sum', 'mean', 'max', 'min'].includes(kind)) {
    return null;
  }
  const [x, ...rest] = expr.args;
  if (!x || x.k !== 'arg' || x.name !== arg) {
    return null;
  }
  const values: { [k: string]: Expr } = {};
  const positional = ['axis', 'keepdims'];
  if (rest.length > positional.length) {
    return null;
  }
  rest.forEach((e, i) => (values[positional[i]] = e));
  for (const [k, v] of expr.kwargs) {
    if (!positional.includes(k) || values[k]) {
      return null;
    }
    values[k] = v;
  }
  const axis = values.axis;
  const keep = values.keepdims;
  if (
    !axis ||
    axis.k !== 'const' ||
    typeof axis.value !== 'number' ||
    !Number.isInteger(axis.value)
  ) {
    return null;
  }
  if (keep && (keep.k !== 'const' || typeof keep.value !== 'boolean')) {
    return null;
  }
  return {
    kind: kind as 'sum' | 'mean' | 'max' | 'min',
    axis: axis.value,
    keepDims: keep ? (keep.value as boolean) : false
  };
}

/** A Lambda recognised from its stored code, with that code's text; null otherwise. */
export function recognizeLambda(
  spec: ILayerSpec
): { op: LambdaOp; text: string } | null {
  const code = lambdaCode(spec.config);
  if (!code.expr || !code.arg) {
    return null;
  }
  if (spec.config.arguments && Object.keys(spec.config.arguments).length) {
    return null;
  }
  const op = matchReduction(code.expr, code.arg);
  return op ? { op, text: code.text! } : null;
}

/** An op in words for the list of inferences (`sum over axis 1`). */
export function describeLambdaOp(op: LambdaOp): string {
  if ('keepDims' in op) {
    return `${op.kind} over axis ${op.axis}${op.keepDims ? ' (keeping the axis)' : ''}`;
  }
  return formatLambdaOp(op);
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

/** The op of a Lambda: its explicit mapping, else its recognised code (reported), else an error. */
function resolveLambdaOp(spec: ILayerSpec, context: IBuildContext): LambdaOp {
  const mapped = context.lambdas[spec.name];
  if (mapped !== undefined) {
    const op = parseLambdaForm(mapped);
    if (!op) {
      throw lambdaError(
        spec,
        `the mapping ${JSON.stringify(mapped)} is not an accepted form`
      );
    }
    return op;
  }
  const found = recognizeLambda(spec);
  if (!found) {
    const code = lambdaCode(spec.config);
    throw lambdaError(
      spec,
      code.text
        ? `its code \`${code.text}\` is not one of the forms run without a mapping ` +
            '(K./ops./backend. sum, mean, max or min, tf.reduce_*, over a constant axis)'
        : (code.problem ?? 'its operation could not be read')
    );
  }
  context.inferences?.push(
    `Lambda '${spec.name}' read as ${describeLambdaOp(found.op)} from its code \`${found.text}\``
  );
  return found.op;
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
  const op = resolveLambdaOp(spec, context);
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
      return { output: applyLambdaOp(resolved, inputs[0]), mask: null };
    },
    callForGradient(inputs: ITensor[]): IGradientCall {
      const x = inputs[0];
      const y = applyLambdaOp(resolved, x);
      return {
        output: y,
        mask: null,
        backward: ([dy]) => [dy ? lambdaOpBackward(resolved, x, y, dy) : null]
      };
    }
  };
}

namespace Private {
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
}
