/**
 * The graph's reverse pass: gradients of one output unit with respect to
 * the Embedding layer's output, for a batch of points `alpha * E` of one
 * sequence (E = the Embedding output of its ids; the masks still come
 * from the ids).
 *
 * Every step between the Embedding and the outputs runs `callForGradient`
 * (forward result + the layer's vector-Jacobian product); steps off that
 * path run their plain forward pass, steps the outputs do not need are not
 * run. The attention head's fusions (`fuse.ts`) run with their fused
 * gradients, the same floats as the layers' one after the other (without
 * `fuse: false`, for tests, the layers run one by one). Walking the recorded
 * steps backwards, a tensor read by several layers sums their gradients.
 */
import {
  fusionPlan,
  headMasks,
  IFusionPlan,
  scaleRowsAndAverageForGradient,
  scaleRowsForGradient
} from './fuse';
import { IGraph, IStep, stepMasks } from './graph';
import { mergesMasksAsKeras34 } from '../layers/merge-masked';
import { INodeRef } from './keras-config';
import { IGradientCall, IMask, ITensor } from '../layers/base';
import { BufferPool, copyFrom, scratchFrom } from '../layers/buffer-pool';
import { Kernels } from '../layers/kernels';
import { ModelError } from '../types';

/** The gradients of one batch of points. */
export interface IPointGradients {
  /** f (the target unit) at each point. */
  f: Float64Array;
  /**
   * df/dE at each point, `[points, ...Embedding output shape]`; empty when
   * only the values were asked for.
   */
  gradient: Float32Array;
  /** E: the Embedding output of the sequence (one point's worth). */
  embedded: Float32Array;
}

/** The reverse pass of one model, planned once. */
export interface IGraphGradients {
  /** The Embedding layer whose output the gradients are taken at. */
  readonly embeddingLayer: string;
  /**
   * `target` indexes the model outputs flattened per sample (outputs
   * concatenated in model order). `valuesOnly`: f only, the same floats as
   * in a batch with gradients (the same recorded forward pass), without the
   * backward pass.
   */
  run(
    sequence: ArrayLike<number>,
    alphas: readonly number[],
    target: number,
    valuesOnly?: boolean
  ): IPointGradients;
}

/** The advice every refusal ends with. */
const OCCLUSION_STILL_WORKS = 'Occlusion still works (--method occlusion)';

/**
 * Plans the reverse pass of a graph, or throws a ModelError naming why the
 * gradient methods cannot run it: not exactly one Embedding layer, or a
 * layer on the path from the Embedding to the outputs without a gradient
 * (with its reason).
 */
export function graphGradients(
  graph: IGraph,
  options: { fuse?: boolean } = {}
): IGraphGradients {
  const embedding = Private.theEmbedding(graph);
  const plan = Private.plan(graph, embedding, options.fuse !== false);
  return {
    embeddingLayer: embedding.layer.name,
    // One pass lends the large arrays of the last one (tapes, gradients):
    // fresh pages for tens of megabytes cost more than the pass's gates.
    run: (sequence, alphas, target, valuesOnly = false) =>
      graph.buffers.within(
        () => Private.run(graph, plan, sequence, alphas, target, valuesOnly),
        result => [result.gradient, result.embedded]
      )
  };
}

/** The error for a layer on the gradient path without a gradient. */
export function noGradientError(
  layer: { name: string; className: string },
  reason: string
): ModelError {
  return new ModelError(
    `Layer '${layer.name}' (${layer.className}): ${reason}; the gradient methods ` +
      '(grad-x-input, integrated-gradients) cannot run this model, occlusion still works (--method occlusion)',
    { layer: layer.name, className: layer.className }
  );
}

namespace Private {
  type Ref = Pick<INodeRef, 'layer' | 'node'> & { tensor?: number };

  export const key = (r: Ref) =>
    `${r.layer}\u0000${r.node}\u0000${r.tensor ?? 0}`;

  /** The key of a step's output `tensor` (0: its output, i: further output i). */
  export const stepKey = (step: IStep, tensor = 0) =>
    key({ layer: step.layer.name, node: step.node, tensor });

  /** Keys of a step's outputs (the output and its further outputs). */
  export function outputKeys(step: IStep): string[] {
    const extra = step.impl?.extraShapes?.length ?? 0;
    return Array.from({ length: 1 + extra }, (_, tensor) =>
      stepKey(step, tensor)
    );
  }

  export interface IPlan {
    embedding: IStep;
    /** The steps to run, in order, and whether each records its gradient. */
    steps: Array<{ step: IStep; gradient: boolean }>;
    /** Tensors that depend on the Embedding output (gradients flow to them). */
    dependent: Set<string>;
    /** The attention-head fusions the pass applies. */
    fusions: IFusionPlan<IStep>;
  }

  export function theEmbedding(graph: IGraph): IStep {
    const layers = graph.spec.layers.filter(l => l.className === 'Embedding');
    if (layers.length === 0) {
      throw new ModelError(
        'The model has no Embedding layer: grad-x-input and integrated-gradients take gradients ' +
          `at the Embedding output. ${OCCLUSION_STILL_WORKS}`
      );
    }
    if (layers.length > 1) {
      throw new ModelError(
        `The model has ${layers.length} Embedding layers; the gradient methods need exactly one. ${OCCLUSION_STILL_WORKS}`
      );
    }
    const calls = graph.steps.filter(s => s.layer.name === layers[0].name);
    if (calls.length !== 1) {
      throw noGradientError(
        layers[0],
        `the Embedding layer is called ${calls.length} times; the gradient methods take gradients at its one output`
      );
    }
    return calls[0];
  }

  export function plan(graph: IGraph, embedding: IStep, fuse: boolean): IPlan {
    // Forward: tensors computed from the Embedding output (data inputs only).
    const dependent = new Set<string>([stepKey(embedding)]);
    for (const step of graph.steps) {
      if (step !== embedding && step.inputs.some(r => dependent.has(key(r)))) {
        outputKeys(step).forEach(k => dependent.add(k));
      }
    }
    // Backward from the outputs: what must run, and what gradients reach.
    // The Embedding runs in any case: its output E is part of the result.
    const needed = new Set([
      ...graph.spec.outputs.map(key),
      stepKey(embedding)
    ]);
    const graded = new Set(graph.spec.outputs.map(key));
    const steps: IPlan['steps'] = [];
    for (let i = graph.steps.length - 1; i >= 0; i--) {
      const step = graph.steps[i];
      const outs = outputKeys(step);
      if (!step.impl || !outs.some(k => needed.has(k))) {
        continue;
      }
      step.inputs.forEach(r => needed.add(key(r)));
      (step.maskInputs ?? []).forEach(r => needed.add(key(r)));
      const gradient =
        step !== embedding && outs.some(k => graded.has(k) && dependent.has(k));
      if (gradient) {
        step.inputs.forEach(r => graded.add(key(r)));
        const impl = step.impl;
        if (!impl.callForGradient) {
          throw noGradientError(
            step.layer,
            impl.noGradient ?? 'this layer has no gradient here'
          );
        }
      }
      steps.unshift({ step, gradient });
    }
    const fusions = fusionPlan(fuse ? graph.fusions : new Map(), new Set());
    return { embedding, steps, dependent, fusions };
  }

  interface IValue {
    tensor: ITensor;
    mask: IMask | null;
  }

  export function run(
    graph: IGraph,
    plan: IPlan,
    sequence: ArrayLike<number>,
    alphas: readonly number[],
    target: number,
    valuesOnly: boolean
  ): IPointGradients {
    const n = alphas.length;
    const { values, tape, embedded } = record(graph, plan, sequence, alphas);
    const outputs = graph.spec.outputs.map(r => values.get(key(r))!.tensor);
    const seed = seedOutput(outputs, target, n);
    if (valuesOnly) {
      return { f: seed.f, gradient: new Float32Array(0), embedded };
    }
    const grads = new Map<string, ITensor>();
    grads.set(key(graph.spec.outputs[seed.output]), seed.gradient);
    // Popped: each step's tape is freed once its gradient is taken.
    while (tape.length) {
      const { step, inputs, call } = tape.pop()!;
      const dOutputs = outputKeys(step).map(k => grads.get(k) ?? null);
      if (dOutputs.every(d => d === null)) {
        continue;
      }
      const dInputs = call.backward(dOutputs);
      inputs.forEach((r, k) => {
        const d = dInputs[k];
        if (d && plan.dependent.has(key(r))) {
          accumulate(grads, key(r), d, graph.buffers);
        }
      });
    }
    const embeddingOut = values.get(stepKey(plan.embedding))!.tensor;
    return {
      f: seed.f,
      gradient:
        grads.get(stepKey(plan.embedding))?.data ??
        new Float32Array(embeddingOut.data.length),
      embedded
    };
  }

  /** The forward pass of the points, recording the calls on the gradient path. */
  export function record(
    graph: IGraph,
    plan: IPlan,
    sequence: ArrayLike<number>,
    alphas: readonly number[]
  ): {
    values: Map<string, IValue>;
    tape: ITapeEntry[];
    embedded: Float32Array;
  } {
    const n = alphas.length;
    const T = sequence.length;
    const ids = new Float32Array(n * T);
    for (let p = 0; p < n; p++) {
      ids.set(sequence as ArrayLike<number>, p * T);
    }
    const values = new Map<string, IValue>();
    graph.spec.inputs.forEach(ref =>
      values.set(key(ref), { tensor: { shape: [n, T], data: ids }, mask: null })
    );
    const read = (r: Ref) => values.get(key(r))!;
    const keras34 = mergesMasksAsKeras34(graph);
    let embedded = new Float32Array(0);
    const tape: ITapeEntry[] = [];
    for (const { step, gradient } of plan.steps) {
      if (plan.fusions.skipped.has(step.layer.name)) {
        continue;
      }
      const fused = fusedCall(plan.fusions, step, read, keras34, graph);
      if (fused) {
        tape.push({ step, inputs: fused.inputs, call: fused.call });
        values.set(stepKey(step), {
          tensor: fused.call.output,
          mask: fused.call.mask
        });
        continue;
      }
      const ins = step.inputs.map(read);
      const masks = stepMasks(step, ins, r => read(r).tensor);
      const tensors = ins.map(v => v.tensor);
      const impl = step.impl!;
      let result = gradient
        ? impl.callForGradient!(tensors, masks)
        : impl.call(tensors, masks);
      if (step === plan.embedding) {
        const scaled = scaledRows(result.output, alphas, graph.buffers);
        embedded = scaled.embedded;
        result = { output: scaled.output, mask: result.mask };
      } else if (gradient) {
        tape.push({ step, inputs: step.inputs, call: result as IGradientCall });
      }
      values.set(stepKey(step), { tensor: result.output, mask: result.mask });
      (result.extra ?? []).forEach((t, i) =>
        values.set(stepKey(step, i + 1), { tensor: t, mask: null })
      );
    }
    return { values, tape, embedded };
  }

  /** A recorded call: the step whose outputs it gives, the tensors it read. */
  interface ITapeEntry {
    step: IStep;
    inputs: readonly Ref[];
    call: IGradientCall;
  }

  /**
   * The fused attention head at `step` (its Multiply, or the pooling that
   * does the product), reading the states and the scores directly.
   */
  export function fusedCall(
    fusions: IFusionPlan<IStep>,
    step: IStep,
    read: (r: Ref) => IValue,
    keras34: boolean,
    graph: { buffers?: BufferPool; kernels: Kernels }
  ): { inputs: Ref[]; call: IGradientCall } | null {
    const { buffers, kernels } = graph;
    const pooled = fusions.pooled.get(step);
    const fusion = pooled ?? fusions.fused.get(step);
    if (!fusion) {
      return null;
    }
    const other = read(fusion.other);
    const scale = read(fusion.scale).tensor;
    const masks = headMasks(other.mask, keras34);
    const call = pooled
      ? scaleRowsAndAverageForGradient(
          other.tensor,
          scale,
          masks,
          buffers,
          kernels
        )
      : scaleRowsForGradient(other.tensor, scale, masks, buffers);
    return { inputs: [fusion.other, fusion.scale], call };
  }

  /** Row p of the Embedding output scaled by alphas[p]; E is row 0 as computed. */
  export function scaledRows(
    output: ITensor,
    alphas: readonly number[],
    buffers?: BufferPool
  ): { output: ITensor; embedded: Float32Array } {
    const n = alphas.length;
    const size = output.data.length / n;
    const embedded = output.data.slice(0, size);
    // Every element is written below.
    const data = scratchFrom(buffers, output.data.length);
    for (let p = 0; p < n; p++) {
      const alpha = alphas[p];
      const at = p * size;
      for (let i = 0; i < size; i++) {
        data[at + i] = alpha * embedded[i];
      }
    }
    // Still the table's rows, scaled: layers that fold the table use alpha.
    const gather = output.gather && {
      ...output.gather,
      scales: Float32Array.from(alphas)
    };
    return {
      output: { shape: output.shape, data, ...(gather ? { gather } : {}) },
      embedded
    };
  }

  /** d f / d output: 1 at the target unit of every row; f per row. */
  export function seedOutput(
    outputs: ITensor[],
    target: number,
    n: number
  ): { output: number; gradient: ITensor; f: Float64Array } {
    let offset = 0;
    for (let o = 0; o < outputs.length; o++) {
      const width = outputs[o].data.length / Math.max(n, 1);
      if (target < offset + width) {
        const unit = target - offset;
        const data = new Float32Array(outputs[o].data.length);
        const f = new Float64Array(n);
        for (let p = 0; p < n; p++) {
          data[p * width + unit] = 1;
          f[p] = outputs[o].data[p * width + unit];
        }
        return {
          output: o,
          gradient: { shape: outputs[o].shape, data },
          f
        };
      }
      offset += width;
    }
    throw new ModelError(
      `target ${target} is out of range: the model has ${offset} output unit(s) (0..${offset - 1})`
    );
  }

  /** Adds a gradient; arrays already stored are never written (layers may return their input's array). */
  export function accumulate(
    grads: Map<string, ITensor>,
    at: string,
    d: ITensor,
    buffers?: BufferPool
  ): void {
    const had = grads.get(at);
    if (!had) {
      grads.set(at, d);
      return;
    }
    const sum = copyFrom(buffers, had.data);
    const add = d.data;
    for (let i = 0; i < sum.length; i++) {
      sum[i] += add[i];
    }
    grads.set(at, { shape: had.shape, data: sum });
  }
}
