/**
 * Builds and runs a model graph (Sequential or Functional) on plain
 * Float32Array tensors. One forward pass can return any layer's output
 * besides the model outputs (the attention, per-layer activations).
 */
import {
  explicitMaskSlots,
  IGraphLayerSpec,
  IModelSpec,
  INodeRef
} from './keras-config';
import {
  IBuildContext,
  ILayer,
  IMask,
  ITensor,
  IWeight,
  layerError,
  Shape
} from '../layers/base';
import { SCORES_SUFFIX } from '../layers/attention-layers';
import { BufferPool } from '../layers/buffer-pool';
import { Kernels } from '../layers/kernels';
import { createLayer } from '../layers/registry';
import { buildInOrder, ILayerCall } from './call-order';
import {
  checkAllComputed,
  checkMaskRefs,
  checkRefsKnown
} from './build-checks';
import { tensorKey as key } from './tensor-key';
import { pruneMaskOps } from './mask-ops';
import {
  findScaleFusions,
  fusionPlan,
  headMasks,
  IFusionPlan,
  IScaleFusion,
  scaleRows,
  scaleRowsAndAverage
} from './fuse';
import { ILayerInfo, ModelError } from '../types';
import { mergesMasksAsKeras34 } from '../layers/merge-masked';
import { formatDims } from '../shapes';

/** One call of a layer in execution order. */
export interface IStep {
  layer: IGraphLayerSpec;
  node: number;
  impl: ILayer | null;
  inputs: INodeRef[];
  /** Tensors passed as `mask=` (Keras 3 saves mask ops explicitly), each at its `slot`. */
  maskInputs?: INodeRef[];
  /**
   * Entries of the `mask=` argument when the call passes one: it replaces
   * the masks the inputs carry, and an entry without a tensor (None) is no
   * mask.
   */
  maskSlots?: number;
}

/** A built graph: layers with weights bound, in execution order. */
export interface IGraph {
  readonly spec: IModelSpec;
  readonly steps: IStep[];
  readonly kernels: Kernels;
  /** Arrays the layers reuse from one `runGraph` to the next. */
  readonly buffers: BufferPool;
  /** Output shape (without batch) of node 0 of every layer. */
  readonly shapes: Map<string, Shape>;
  readonly layerInfo: ILayerInfo[];
  /** Model input shapes (without batch), in input order. */
  readonly inputShapes: Shape[];
  /** What the layers inferred rather than read (a Lambda's meaning, ...), in words. */
  readonly inferences: string[];
  /** The weights by layer name, as read (other forward passes rebuild from them). */
  readonly weights: ReadonlyMap<string, IWeight[]>;
  /** The explicit Lambda mappings the graph was built with. */
  readonly lambdas: { readonly [layerName: string]: string };
  /** Major Keras version that wrote the model (activation details differ). */
  readonly kerasMajor: number;
  /** Its minor version, when known. */
  readonly kerasMinor?: number;
  /** Multiply steps that scale by attention scores directly (`fuse.ts`). */
  readonly fusions: ReadonlyMap<IStep, IScaleFusion>;
}

export interface IBuildOptions {
  kerasMajor: number;
  kerasMinor?: number;
  lambdas?: { [layerName: string]: string };
  /** Use the WebAssembly SIMD kernel when available (default true). */
  simd?: boolean;
  /** Relaxed SIMD multiply-add in the matrix products where available (default true). */
  relaxedSimd?: boolean;
  /**
   * Recurrent layers skip the steps a row shares with the padding or with
   * the batch's first row (default true; false computes every step).
   */
  shareSteps?: boolean;
  /** Fold Embedding tables into the layers reading them (default true). */
  foldTables?: boolean;
}

export function buildGraph(
  fullSpec: IModelSpec,
  weights: Map<string, IWeight[]>,
  options: IBuildOptions
): IGraph {
  const { spec, inference } = pruneMaskOps(fullSpec);
  const byName = new Map(spec.layers.map(l => [l.name, l]));
  Private.checkWeightsBelong(weights, byName);
  const kernels = new Kernels({
    simd: options.simd,
    relaxed: options.relaxedSimd !== false
  });
  const context: IBuildContext = {
    kerasMajor: options.kerasMajor,
    kerasMinor: options.kerasMinor,
    lambdas: options.lambdas ?? {},
    kernels,
    buffers: new BufferPool(),
    shareSteps: options.shareSteps,
    foldTables: options.foldTables,
    inferences: inference ? [inference] : [],
    createLayer: (s, shapes, w) => createLayer(s, shapes, w, context)
  };
  const shapes = new Map<string, Shape>();
  const nodeShapes = new Map<string, Shape>();
  const impls = new Map<string, ILayer>();
  const steps: IStep[] = [];
  const pending = Private.inputsAndCalls(spec, nodeShapes, shapes, steps);
  checkRefsKnown(pending, byName);
  const inputs = spec.layers
    .filter(l => l.className === 'InputLayer')
    .map(l => ({ layer: l.name, node: 0, tensor: 0 }));
  const [stuck] = buildInOrder(pending, inputs, ({ layer, node }) => {
    const refs = layer.inbound[node];
    const maskRefs = refs.filter(r => r.kwarg === 'mask');
    const dataRefs = refs.filter(r => r.kwarg !== 'mask');
    const maskSlots = explicitMaskSlots(layer.callArgs?.[node]);
    const impl = Private.implFor(
      layer,
      node,
      dataRefs,
      nodeShapes,
      impls,
      shapes,
      weights,
      context
    );
    checkMaskRefs(layer, maskRefs, dataRefs.length, nodeShapes);
    nodeShapes.set(key({ layer: layer.name, node }), impl.outputShape);
    (impl.extraShapes ?? []).forEach((s, i) =>
      nodeShapes.set(key({ layer: layer.name, node, tensor: i + 1 }), s)
    );
    steps.push({
      layer,
      node,
      impl,
      inputs: dataRefs,
      ...(maskRefs.length ? { maskInputs: maskRefs } : {}),
      ...(maskSlots !== undefined || maskRefs.length
        ? { maskSlots: maskSlots ?? 1 }
        : {})
    });
  });
  checkAllComputed(stuck, spec, nodeShapes);
  return {
    spec,
    steps,
    kernels,
    buffers: context.buffers!,
    shapes,
    layerInfo: Private.layerInfo(steps, shapes),
    inputShapes: spec.inputs.map(r => nodeShapes.get(key(r)) as Shape),
    inferences: context.inferences ?? [],
    weights,
    lambdas: options.lambdas ?? {},
    kerasMajor: options.kerasMajor,
    kerasMinor: options.kerasMinor,
    fusions: Private.fusions(steps, spec, nodeShapes)
  };
}

/**
 * The masks of a step's inputs: those the inputs carry, or, when the call
 * passes `mask=`, that argument slot by slot (as Keras: an explicit mask
 * replaces the inputs' masks, a None entry means no mask).
 */
export function stepMasks(
  step: IStep,
  inputs: Array<{ mask: IMask | null }>,
  read: (ref: INodeRef) => ITensor
): Array<IMask | null> {
  if (step.maskSlots === undefined) {
    return inputs.map(v => v.mask);
  }
  const masks: Array<IMask | null> = inputs.map(() => null);
  for (const r of step.maskInputs ?? []) {
    const m = read(r);
    const data = new Uint8Array(m.data.length);
    m.data.forEach((v, k) => (data[k] = v !== 0 ? 1 : 0));
    masks[r.slot ?? 0] = { batch: m.shape[0], steps: m.shape[1], data };
  }
  return masks;
}

export interface IRunOptions {
  /** Layer names whose (node 0) outputs to return besides the model outputs. */
  outputs?: string[];
}

export interface IRunResult {
  outputs: ITensor[];
  activations: { [layerName: string]: ITensor };
}

/**
 * One forward pass. `inputs` follow the model's input order, batch first.
 * The arrays the layers took from `graph.buffers` go back to it at the
 * end, except those the returned tensors view.
 */
export function runGraph(
  graph: IGraph,
  inputs: ITensor[],
  options: IRunOptions = {}
): IRunResult {
  const wanted = new Set(options.outputs ?? []);
  Private.checkRunRequest(graph, inputs, wanted);
  return graph.buffers.within(
    () => Private.runSteps(graph, inputs, wanted),
    result =>
      [...result.outputs, ...Object.values(result.activations)].map(t => t.data)
  );
}

namespace Private {
  /** Every tensor computed so far, by `key`, with the mask it carries. */
  export type Values = Map<string, { tensor: ITensor; mask: IMask | null }>;

  /** The steps of `runGraph`, after its checks. */
  export function runSteps(
    graph: IGraph,
    inputs: ITensor[],
    wanted: Set<string>
  ): IRunResult {
    const { spec } = graph;
    const values: Values = new Map();
    spec.inputs.forEach((ref, i) =>
      values.set(key(ref), { tensor: inputs[i], mask: null })
    );
    const plan = fusionPlan(graph.fusions, wanted);
    const activations: { [name: string]: ITensor } = {};
    for (const step of graph.steps) {
      if (!step.impl || plan.skipped.has(step.layer.name)) {
        continue;
      }
      const keyWeights = runStep(step, step.impl, plan, values, graph);
      if (step.node === 0) {
        const name = step.layer.name;
        if (wanted.has(name)) {
          activations[name] = values.get(key({ layer: name, node: 0 }))!.tensor;
        }
        const scores = `${name}${SCORES_SUFFIX}`;
        if (keyWeights && wanted.has(scores)) {
          activations[scores] = keyWeights;
        }
      }
    }
    // Asked-for layers without a step of their own (the model inputs).
    for (const name of wanted) {
      if (!activations[name]) {
        const input = values.get(key({ layer: name, node: 0 }));
        if (input) {
          activations[name] = input.tensor;
        }
      }
    }
    return {
      outputs: spec.outputs.map(r => values.get(key(r))!.tensor),
      activations
    };
  }

  /** Refuses inputs of the wrong count or shape, and asked-for layers the model lacks. */
  export function checkRunRequest(
    graph: IGraph,
    inputs: ITensor[],
    wanted: Set<string>
  ): void {
    const { spec } = graph;
    if (inputs.length !== spec.inputs.length) {
      throw new ModelError(
        `The model takes ${spec.inputs.length} input(s), got ${inputs.length}`
      );
    }
    for (const name of wanted) {
      if (!graph.shapes.has(name)) {
        throw new ModelError(`No layer named '${name}' in the model`, {
          layer: name
        });
      }
    }
    spec.inputs.forEach((ref, i) => {
      const declared = graph.inputShapes[i];
      const x = inputs[i];
      const ok =
        x.shape.length === declared.length + 1 &&
        declared.every((d, k) => d === null || d === x.shape[k + 1]);
      if (!ok) {
        throw new ModelError(
          `Input '${ref.layer}' expects shape [batch, ${formatDims(declared)}], got [${x.shape.join(', ')}]`,
          { layer: ref.layer }
        );
      }
    });
  }

  /**
   * Runs one step (fused or not), storing its outputs in `values`; returns
   * the attention scores when the layer gives them.
   */
  export function runStep(
    step: IStep,
    impl: ILayer,
    plan: IFusionPlan<IStep>,
    values: Values,
    graph: IGraph
  ): ITensor | undefined {
    const out = { layer: step.layer.name, node: step.node };
    const fusion = plan.pooled.get(step) ?? plan.fused.get(step);
    if (fusion) {
      const other = values.get(key(fusion.other))!;
      const scale = values.get(key(fusion.scale))!.tensor;
      // The scores carry no mask: the product's follows the states' (`headMasks`).
      const masks = headMasks(other.mask, mergesMasksAsKeras34(graph));
      values.set(key(out), {
        tensor: plan.pooled.has(step)
          ? scaleRowsAndAverage(
              other.tensor,
              scale,
              masks.product,
              masks.ones,
              graph.kernels
            )
          : scaleRows(other.tensor, scale, masks.ones),
        mask: plan.pooled.has(step) ? null : masks.product
      });
      return undefined;
    }
    const ins = step.inputs.map(r => values.get(key(r))!);
    const masks = stepMasks(step, ins, r => values.get(key(r))!.tensor);
    const result = impl.call(
      ins.map(v => v.tensor),
      masks
    );
    values.set(key(out), { tensor: result.output, mask: result.mask });
    (result.extra ?? []).forEach((t, i) =>
      values.set(key({ ...out, tensor: i + 1 }), { tensor: t, mask: null })
    );
    return result.keyWeights;
  }

  /** Places the model inputs (as steps without work) and lists every other layer call. */
  export function inputsAndCalls(
    spec: IModelSpec,
    nodeShapes: Map<string, Shape>,
    shapes: Map<string, Shape>,
    steps: IStep[]
  ): ILayerCall[] {
    const pending: ILayerCall[] = [];
    for (const layer of spec.layers) {
      if (layer.className === 'InputLayer') {
        const shape = spec.inputShapes[layer.name];
        if (!shape) {
          throw new ModelError(
            `Layer '${layer.name}' (InputLayer): no input shape declared`,
            {
              layer: layer.name,
              className: 'InputLayer'
            }
          );
        }
        nodeShapes.set(key({ layer: layer.name, node: 0 }), shape);
        shapes.set(layer.name, shape);
        steps.push({ layer, node: 0, impl: null, inputs: [] });
        continue;
      }
      if (layer.inbound.length === 0) {
        throw layerError(layer, 'is not connected to any input');
      }
      layer.inbound.forEach((_, node) => pending.push({ layer, node }));
    }
    return pending;
  }

  /** Refuses weights of a layer the config does not have. */
  export function checkWeightsBelong(
    weights: Map<string, IWeight[]>,
    byName: Map<string, IGraphLayerSpec>
  ): void {
    for (const name of weights.keys()) {
      if (!byName.has(name) && (weights.get(name) ?? []).length > 0) {
        throw new ModelError(
          `The weights do not match the config: the weights file has layer '${name}', the config has no such layer`,
          { layer: name }
        );
      }
    }
  }

  /** Fusions whose tensors have the shapes the fused multiply takes. */
  export function fusions(
    steps: IStep[],
    spec: IModelSpec,
    nodeShapes: Map<string, Shape>
  ): Map<IStep, IScaleFusion> {
    const out = new Map<IStep, IScaleFusion>();
    for (const [step, fusion] of findScaleFusions(steps, spec.outputs)) {
      const other = nodeShapes.get(key(fusion.other));
      const scale = nodeShapes.get(key(fusion.scale));
      if (
        other?.length === 2 &&
        scale?.length === 1 &&
        other[0] !== null &&
        other[0] === scale[0]
      ) {
        out.set(step as IStep, fusion);
      }
    }
    return out;
  }

  /** Each layer once, in execution order, with its output shape. */
  export function layerInfo(
    steps: IStep[],
    shapes: Map<string, Shape>
  ): ILayerInfo[] {
    const out: ILayerInfo[] = [];
    const seen = new Set<string>();
    for (const step of steps) {
      if (!seen.has(step.layer.name)) {
        seen.add(step.layer.name);
        out.push({
          name: step.layer.name,
          className: step.layer.className,
          outputShape: [...(shapes.get(step.layer.name) ?? [])]
        });
      }
    }
    return out;
  }

  /** The layer's implementation, created at its first call from the shapes it reads. */
  export function implFor(
    layer: IGraphLayerSpec,
    node: number,
    dataRefs: INodeRef[],
    nodeShapes: Map<string, Shape>,
    impls: Map<string, ILayer>,
    shapes: Map<string, Shape>,
    weights: Map<string, IWeight[]>,
    context: IBuildContext
  ): ILayer {
    const inputShapes = dataRefs.map(r => {
      const shape = nodeShapes.get(key(r));
      if (!shape) {
        throw layerError(
          layer,
          `reads output ${r.tensor} of '${r.layer}', which that layer does not have`
        );
      }
      return shape;
    });
    let impl = impls.get(layer.name);
    if (!impl) {
      const call = {
        inputKwargs: dataRefs.map(r => r.kwarg ?? null),
        args: layer.callArgs?.[node] ?? {}
      };
      impl = context.createLayer(
        { ...layer, call },
        inputShapes,
        weights.get(layer.name) ?? []
      );
      impls.set(layer.name, impl);
      shapes.set(layer.name, impl.outputShape);
      if (impl.keyWeightsShape) {
        shapes.set(`${layer.name}${SCORES_SUFFIX}`, impl.keyWeightsShape);
      }
    }
    return impl;
  }
}
