/**
 * Consistency checks of a layer's gradient against its own forward pass:
 * `callForGradient` must give the bits of `call`, and `backward` must agree
 * with a finite difference of the forward pass (directional, central,
 * Richardson-extrapolated, summed in float64). This checks that backward
 * is the derivative of the forward; that both match Keras is checked
 * against real-Keras fixtures elsewhere.
 */
import {
  IBuildContext,
  IGradientCall,
  ILayer,
  ILayerOutput,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  LayerFactory,
  Shape
} from '../../../src/model/layers/base';
import { Kernels } from '../../../src/model/layers/kernels';

export function context(kerasMajor = 3): IBuildContext {
  return {
    kerasMajor,
    lambdas: {},
    kernels: new Kernels({ simd: false }),
    createLayer: () => {
      throw new Error('not used');
    }
  };
}

/** A seeded uniform generator in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Values uniform in [-1, 1), or drawn by `draw`. */
export function randomTensor(
  shape: number[],
  rnd: () => number,
  draw: (rnd: () => number) => number = r => 2 * r() - 1
): ITensor {
  const n = shape.reduce((a, d) => a * d, 1);
  return { shape, data: Float32Array.from({ length: n }, () => draw(rnd)) };
}

/** Values in [-3, 3) at least `gap` away from every kink. */
export function awayFrom(kinks: number[], gap = 0.05) {
  return (rnd: () => number): number => {
    for (;;) {
      const v = (2 * rnd() - 1) * 3;
      if (kinks.every(k => Math.abs(v - k) >= gap)) {
        return v;
      }
    }
  };
}

/** A weight array of uniform values in [-1, 1) (`offset` added). */
export function weight(
  name: string,
  shape: number[],
  rnd: () => number,
  offset = 0
): IWeight {
  const data = randomTensor(shape, rnd).data.map(v => v + offset);
  return { name, shape, data };
}

export function build(
  factory: LayerFactory,
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[] = [],
  ctx: IBuildContext = context()
): ILayer {
  return factory(spec, inputShapes, weights, ctx);
}

function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(Float32Array.from(a).buffer));
}

function outputs(r: ILayerOutput): ITensor[] {
  return [r.output, ...(r.extra ?? [])];
}

/** `callForGradient` gives exactly the bits, masks and key weights of `call`. */
export function expectSameForward(
  layer: ILayer,
  inputs: ITensor[],
  masks: Array<IMask | null>
): IGradientCall {
  const plain = layer.call(inputs, masks);
  const recorded = layer.callForGradient!(inputs, masks);
  const a = outputs(plain);
  const b = outputs(recorded);
  expect(b.map(t => t.shape)).toEqual(a.map(t => t.shape));
  b.forEach((t, i) => expect(bits(t.data)).toEqual(bits(a[i].data)));
  expect(recorded.mask?.data ?? null).toEqual(plain.mask?.data ?? null);
  if (plain.keyWeights) {
    expect(bits(recorded.keyWeights!.data)).toEqual(
      bits(plain.keyWeights.data)
    );
  }
  return recorded;
}

export interface IGradCheck {
  /** The inputs gradients are taken for (others are ids, masks, ...). */
  differentiable: number[];
  /** Outputs whose cotangent is random (default: all). */
  cotangents?: number[];
  seed?: number;
  /** Largest perturbation step along a direction in [-1, 1]. */
  h?: number;
}

/**
 * For random cotangents r on the outputs and a random direction v on the
 * differentiable inputs: |<backward(r), v> - d/dt <r, y(x + t v)>| relative
 * to the sum of the magnitudes involved, with a floor at what float32
 * outputs resolve (1e-2 of sum |r y| at h = 1e-2). Returns that error.
 */
export function gradientError(
  layer: ILayer,
  inputs: ITensor[],
  masks: Array<IMask | null>,
  check: IGradCheck
): number {
  const rnd = rng(check.seed ?? 7);
  const recorded = expectSameForward(layer, inputs, masks);
  const outs = outputs(recorded);
  const which = check.cotangents ?? outs.map((_, i) => i);
  const r = outs.map((t, i) =>
    which.includes(i) ? randomTensor(t.shape, rnd) : null
  );
  const dInputs = recorded.backward(r);
  expect(dInputs.length).toBe(inputs.length);
  const v = inputs.map((x, i) =>
    check.differentiable.includes(i) ? randomTensor(x.shape, rnd) : null
  );
  let analytic = 0;
  let scale = 0;
  v.forEach((dir, i) => {
    if (!dir) {
      return;
    }
    const g = dInputs[i];
    expect(g?.shape ?? inputs[i].shape).toEqual(inputs[i].shape);
    g?.data.forEach((d, k) => {
      analytic += d * dir.data[k];
      scale += Math.abs(d * dir.data[k]);
    });
  });
  // f32 rounding of the outputs bounds what a difference can resolve.
  let size = 0;
  outs.forEach((y, i) =>
    y.data.forEach((val, k) => (size += Math.abs(val * (r[i]?.data[k] ?? 0))))
  );
  const phi = (t: number): number => {
    const moved = inputs.map((x, i) =>
      v[i]
        ? {
            shape: x.shape,
            data: x.data.map((a, k) => a + t * v[i]!.data[k])
          }
        : x
    );
    const ys = outputs(layer.call(moved, masks));
    let s = 0;
    ys.forEach((y, i) => {
      const ri = r[i];
      if (ri) {
        y.data.forEach((val, k) => (s += val * ri.data[k]));
      }
    });
    return s;
  };
  const h = check.h ?? 1e-2;
  const central = (step: number) => (phi(step) - phi(-step)) / (2 * step);
  const numeric = (4 * central(h / 2) - central(h)) / 3;
  const floor = (1e-4 * size) / h + 1e-12;
  return Math.abs(numeric - analytic) / (scale + Math.abs(numeric) + floor);
}

/** A mask over [batch, steps] from a predicate. */
export function maskOf(
  batch: number,
  steps: number,
  on: (b: number, t: number) => boolean
): IMask {
  const data = new Uint8Array(batch * steps);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      data[b * steps + t] = on(b, t) ? 1 : 0;
    }
  }
  return { batch, steps, data };
}
