/**
 * The attention head of the classic Keras char model weights every time
 * step of the recurrent states by its attention score with
 * `Multiply([states, Permute((2, 1))(RepeatVector(units)(attention))])`.
 * Run layer by layer, that builds two [batch, T, units] copies of the
 * scores before one multiply. Fused, the multiply scales each state row by
 * its score directly: the same products, bit for bit, without the copies.
 *
 * A fusion is found only where the RepeatVector and the Permute feed
 * nothing else and are not model outputs; a run that asks for either
 * layer's output runs them as usual.
 */
import { INodeRef } from './keras-config';
import { IGradientCall, IMask, ITensor } from '../layers/base';
import { BufferPool, scratchFrom } from '../layers/buffer-pool';
import { Kernels } from '../layers/kernels';
import { averageScaledRows, countSteps } from './scaled-average';

/** The graph step fields a fusion looks at. */
export interface IFusableStep {
  layer: {
    name: string;
    className: string;
    config: { [key: string]: unknown };
  };
  node: number;
  inputs: INodeRef[];
  maskInputs?: INodeRef[];
  maskSlots?: number;
}

/** Whether the call passes `mask=` (its masks are then not the inputs' own). */
const passesMask = (step: IFusableStep) => step.maskSlots !== undefined;

/** One fused Multiply: `other * scale` broadcast over the last axis. */
export interface IScaleFusion {
  /** The RepeatVector and Permute layers it replaces. */
  readonly skipped: readonly string[];
  /** The [batch, T] scores (RepeatVector's input). */
  readonly scale: INodeRef;
  /** The [batch, T, units] states (the Multiply's other input). */
  readonly other: INodeRef;
  /**
   * The GlobalAveragePooling1D that is the product's only reader, if any:
   * it then averages the scaled rows without the product being stored.
   */
  readonly pooled: IFusableStep | null;
}

type Ref = Pick<INodeRef, 'layer' | 'node'> & { tensor?: number };

const refKey = (r: Ref) => `${r.layer}\u0000${r.node}\u0000${r.tensor ?? 0}`;

/** Finds the fusable Multiply steps of a graph. */
export function findScaleFusions(
  steps: readonly IFusableStep[],
  outputs: readonly INodeRef[]
): Map<IFusableStep, IScaleFusion> {
  const use = new Private.TensorUse(steps, outputs);
  const fusions = new Map<IFusableStep, IScaleFusion>();
  for (const step of steps) {
    if (
      step.layer.className !== 'Multiply' ||
      step.inputs.length !== 2 ||
      passesMask(step)
    ) {
      continue;
    }
    const fusion = Private.scaleFusion(step, steps, use);
    if (fusion) {
      fusions.set(step, fusion);
    }
  }
  return fusions;
}

/**
 * The masks of the fused head for states carrying `statesMask`: Keras 2
 * (and Keras 3 before 3.4) keeps the states' mask on the product; Keras
 * 3.4 and later multiply the states' masked rows as 1 and the product has
 * no mask (the scores have none), so a pooling averages every step.
 */
export interface IHeadMasks {
  /** The product's mask (what a pooling of it averages over). */
  product: IMask | null;
  /** Rows of the states that count as 1 in the product. */
  ones: IMask | null;
}

export function headMasks(
  statesMask: IMask | null,
  keras34: boolean
): IHeadMasks {
  return keras34
    ? { product: null, ones: statesMask }
    : { product: statesMask, ones: null };
}

/** Whether row `row` of the states counts as 1 (see `IHeadMasks.ones`). */
function isOne(ones: IMask | null, steps: number, row: number): boolean {
  return ones !== null && ones.steps === steps && !ones.data[row];
}

/**
 * `out[b, t, u] = x[b, t, u] * scale[b, t]` for x [batch, T, units] and
 * scale [batch, T] (the graph checks the shapes when it fuses); rows in
 * `ones` masked take the scale itself.
 */
export function scaleRows(
  x: ITensor,
  scale: ITensor,
  ones: IMask | null = null
): ITensor {
  const [batch, steps, units] = x.shape;
  const src = x.data;
  const weights = scale.data;
  const data = new Float32Array(batch * steps * units);
  for (let row = 0; row < batch * steps; row++) {
    const w = weights[row];
    const at = row * units;
    if (isOne(ones, steps, row)) {
      data.fill(w, at, at + units);
      continue;
    }
    for (let u = 0; u < units; u++) {
      data[at + u] = src[at + u] * w;
    }
  }
  return { shape: [batch, steps, units], data };
}

/**
 * GlobalAveragePooling1D of `x[b, t, u] * scale[b, t]` without storing
 * the product: the same float32 products, summed over unmasked steps in
 * step order in double precision, divided by their count (as the layer);
 * rows in `ones` masked count `scale` alone. `kernels`: its SIMD kernel
 * sums what it can (it takes the workspace).
 */
export function scaleRowsAndAverage(
  x: ITensor,
  scale: ITensor,
  mask: IMask | null,
  ones: IMask | null = null,
  kernels: Kernels | null = null
): ITensor {
  const [batch, steps, units] = x.shape;
  const use = mask && mask.steps === steps ? mask.data : null;
  const counted = countSteps(
    batch,
    steps,
    row => !use || use[row] !== 0,
    row => isOne(ones, steps, row)
  );
  const data = new Float32Array(batch * units);
  averageScaledRows(x.data, scale.data, units, counted, data, kernels);
  return { shape: [batch, units], data };
}

/** The fusions a run applies: the multiplies it fuses, the poolings that do the product, the layers it skips. */
export interface IFusionPlan<S extends IFusableStep = IFusableStep> {
  fused: Map<S, IScaleFusion>;
  pooled: Map<S, IScaleFusion>;
  skipped: Set<string>;
}

/** Fusions apply unless the run asks for a layer they skip. */
export function fusionPlan<S extends IFusableStep>(
  fusions: ReadonlyMap<S, IScaleFusion>,
  wanted: ReadonlySet<string>
): IFusionPlan<S> {
  const plan: IFusionPlan<S> = {
    fused: new Map(),
    pooled: new Map(),
    skipped: new Set()
  };
  for (const [step, fusion] of fusions) {
    if (!fusion.skipped.some(name => wanted.has(name))) {
      fusion.skipped.forEach(name => plan.skipped.add(name));
      if (fusion.pooled && !wanted.has(step.layer.name)) {
        // The pooling computes the product itself.
        plan.skipped.add(step.layer.name);
        plan.pooled.set(fusion.pooled as S, fusion);
      } else {
        plan.fused.set(step, fusion);
      }
    }
  }
  return plan;
}

/**
 * `scaleRows` with its vector-Jacobian product for the inputs [x, scale]:
 * the floats of Multiply's, Permute's and RepeatVector's gradients taken
 * one after the other (`d * scale` per element; the scale's gradient summed
 * over the units in order, in float32), without their [batch, T, units]
 * copies.
 */
export function scaleRowsForGradient(
  x: ITensor,
  scale: ITensor,
  masks: IHeadMasks,
  buffers?: BufferPool
): IGradientCall {
  const [, , units] = x.shape;
  return {
    output: scaleRows(x, scale, masks.ones),
    mask: masks.product,
    backward([dy]) {
      if (!dy) {
        return [null, null];
      }
      const d = dy.data;
      return Private.scaleRowsBackward(
        x,
        scale,
        row => d.subarray(row * units, (row + 1) * units),
        masks.ones,
        buffers
      );
    }
  };
}

/**
 * `scaleRowsAndAverage` with its vector-Jacobian product for [x, scale]:
 * GlobalAveragePooling1D's gradient (each unmasked step's share `dy / count`,
 * rounded to float32) followed by the fused multiply's, the same floats as
 * the layers' gradients one after the other, without the product or its
 * gradient being stored.
 */
export function scaleRowsAndAverageForGradient(
  x: ITensor,
  scale: ITensor,
  masks: IHeadMasks,
  buffers?: BufferPool,
  kernels: Kernels | null = null
): IGradientCall {
  const [batch, steps, units] = x.shape;
  const mask = masks.product;
  const use = mask && mask.steps === steps ? mask.data : null;
  return {
    output: scaleRowsAndAverage(x, scale, mask, masks.ones, kernels),
    mask: null,
    backward([dy]) {
      if (!dy) {
        return [null, null];
      }
      const share = new Float32Array(batch * units);
      for (let b = 0; b < batch; b++) {
        let count = 0;
        for (let t = 0; t < steps; t++) {
          count += !use || use[b * steps + t] ? 1 : 0;
        }
        for (let u = 0; u < units; u++) {
          share[b * units + u] = dy.data[b * units + u] / Math.max(count, 1);
        }
      }
      // Every step of batch row b gets b's share (a masked step none).
      const shares = Array.from({ length: batch }, (_, b) =>
        share.subarray(b * units, (b + 1) * units)
      );
      const none = new Float32Array(units);
      return Private.scaleRowsBackward(
        x,
        scale,
        row => (use && !use[row] ? none : shares[Math.floor(row / steps)]),
        masks.ones,
        buffers
      );
    }
  };
}

namespace Private {
  /**
   * The gradients of `x * scale` (scale broadcast over the units) given
   * the output gradient of each row (`dRow(row)`, `units` floats), row =
   * b * T + t: dx = d * scale; dscale[row] = the float32 sum over u, in
   * order, of d * x (rows in `ones` masked: x counts as 1 and gets no
   * gradient). Four rows go through the loop together: each row's sum is
   * a chain of dependent float32 additions, and four chains keep the
   * processor busy where one waits on each addition; every row's floats
   * are the same.
   */
  export function scaleRowsBackward(
    x: ITensor,
    scale: ITensor,
    dRow: (row: number) => Float32Array,
    ones: IMask | null,
    buffers?: BufferPool
  ): [ITensor, ITensor] {
    const [batch, steps, units] = x.shape;
    // Every element of dx is written below.
    const dx = scratchFrom(buffers, x.data.length);
    const dScale = new Float32Array(batch * steps);
    const rows = batch * steps;
    const plain = (row: number) => row < rows && !isOne(ones, steps, row);
    let row = 0;
    for (; row + 4 <= rows; row += 4) {
      if (plain(row) && plain(row + 1) && plain(row + 2) && plain(row + 3)) {
        fourRows(x.data, scale.data, dRow, units, row, dx, dScale);
      } else {
        for (let r = row; r < row + 4; r++) {
          oneRow(x.data, scale.data, dRow(r), units, r, plain(r), dx, dScale);
        }
      }
    }
    for (; row < rows; row++) {
      oneRow(x.data, scale.data, dRow(row), units, row, plain(row), dx, dScale);
    }
    return [
      { shape: x.shape, data: dx },
      { shape: scale.shape, data: dScale }
    ];
  }

  /** `scaleRowsBackward` of one row; not `plain`: x counts as 1, no dx. */
  export function oneRow(
    src: Float32Array,
    weights: Float32Array,
    d: Float32Array,
    units: number,
    row: number,
    plain: boolean,
    dx: Float32Array,
    dScale: Float32Array
  ): void {
    const w = weights[row];
    const at = row * units;
    let sum = 0;
    for (let u = 0; u < units; u++) {
      const g = d[u];
      dx[at + u] = plain ? g * w : 0;
      sum = Math.fround(sum + Math.fround(g * (plain ? src[at + u] : 1)));
    }
    dScale[row] = sum;
  }

  /** `scaleRowsBackward` of the plain rows `row..row + 3`, interleaved. */
  export function fourRows(
    src: Float32Array,
    weights: Float32Array,
    dRow: (row: number) => Float32Array,
    units: number,
    row: number,
    dx: Float32Array,
    dScale: Float32Array
  ): void {
    const [d0, d1, d2, d3] = [
      dRow(row),
      dRow(row + 1),
      dRow(row + 2),
      dRow(row + 3)
    ];
    const [w0, w1, w2, w3] = [
      weights[row],
      weights[row + 1],
      weights[row + 2],
      weights[row + 3]
    ];
    const a0 = row * units;
    const a1 = a0 + units;
    const a2 = a1 + units;
    const a3 = a2 + units;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let u = 0; u < units; u++) {
      const g0 = d0[u];
      const g1 = d1[u];
      const g2 = d2[u];
      const g3 = d3[u];
      dx[a0 + u] = g0 * w0;
      dx[a1 + u] = g1 * w1;
      dx[a2 + u] = g2 * w2;
      dx[a3 + u] = g3 * w3;
      s0 = Math.fround(s0 + Math.fround(g0 * src[a0 + u]));
      s1 = Math.fround(s1 + Math.fround(g1 * src[a1 + u]));
      s2 = Math.fround(s2 + Math.fround(g2 * src[a2 + u]));
      s3 = Math.fround(s3 + Math.fround(g3 * src[a3 + u]));
    }
    dScale[row] = s0;
    dScale[row + 1] = s1;
    dScale[row + 2] = s2;
    dScale[row + 3] = s3;
  }

  /** Who produces and who reads each tensor of the graph. */
  export class TensorUse {
    constructor(steps: readonly IFusableStep[], outputs: readonly INodeRef[]) {
      // How often each tensor is read (outputs count as readers).
      const read = (r: Ref) =>
        this.readers.set(refKey(r), (this.readers.get(refKey(r)) ?? 0) + 1);
      for (const step of steps) {
        step.inputs.forEach(read);
        (step.maskInputs ?? []).forEach(read);
      }
      outputs.forEach(read);
      for (const step of steps) {
        this.producer.set(
          refKey({ layer: step.layer.name, node: step.node }),
          step
        );
        this.calls.set(
          step.layer.name,
          (this.calls.get(step.layer.name) ?? 0) + 1
        );
      }
    }

    /** A single-call layer whose one output is read exactly once. */
    privateStep(ref: INodeRef, className: string): IFusableStep | null {
      const step = this.producer.get(refKey(ref));
      return step &&
        step.layer.className === className &&
        this.calls.get(step.layer.name) === 1 &&
        this.readers.get(refKey(ref)) === 1 &&
        !passesMask(step) &&
        step.inputs.length === 1
        ? step
        : null;
    }

    readonly readers = new Map<string, number>();
    readonly producer = new Map<string, IFusableStep>();
    readonly calls = new Map<string, number>();
  }

  /** The Multiply's fusion, when one input is `Permute((2, 1))(RepeatVector(...))`. */
  export function scaleFusion(
    step: IFusableStep,
    steps: readonly IFusableStep[],
    use: TensorUse
  ): IScaleFusion | null {
    for (let i = 0; i < 2; i++) {
      const permute = use.privateStep(step.inputs[i], 'Permute');
      const dims = permute?.layer.config.dims;
      if (
        !permute ||
        !Array.isArray(dims) ||
        dims.length !== 2 ||
        dims[0] !== 2 ||
        dims[1] !== 1
      ) {
        continue;
      }
      const repeat = use.privateStep(permute.inputs[0], 'RepeatVector');
      if (!repeat) {
        continue;
      }
      return {
        skipped: [repeat.layer.name, permute.layer.name],
        scale: repeat.inputs[0],
        other: step.inputs[1 - i],
        pooled: pooledReader(step, steps, use)
      };
    }
    return null;
  }

  /** The GlobalAveragePooling1D that is the product's only reader, if any. */
  export function pooledReader(
    step: IFusableStep,
    steps: readonly IFusableStep[],
    use: TensorUse
  ): IFusableStep | null {
    const product = { layer: step.layer.name, node: step.node };
    const readersOfProduct = steps.filter(s =>
      s.inputs.some(r => refKey(r) === refKey(product))
    );
    const pool = readersOfProduct[0];
    return use.calls.get(step.layer.name) === 1 &&
      use.readers.get(refKey(product)) === 1 &&
      readersOfProduct.length === 1 &&
      pool.layer.className === 'GlobalAveragePooling1D' &&
      pool.layer.config.keepdims !== true &&
      pool.inputs.length === 1 &&
      !passesMask(pool)
      ? pool
      : null;
  }
}
