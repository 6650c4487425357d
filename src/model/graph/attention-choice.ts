/**
 * Choosing the attention layer: by name, or automatically as a layer that
 * applies a softmax over the time axis of the input sequence (tracked through
 * the graph by `time-axis.ts`) with output [batch, T] or [batch, T, 1]; when
 * there is none, the key weights of a self-attention layer (Attention,
 * AdditiveAttention, MultiHeadAttention). A softmax classifier head is never
 * taken. The automatic choice is reported as an inference.
 */
import { IGraph } from './graph';
import { IGraphLayerSpec, INodeRef } from './keras-config';
import { SCORE_LAYERS, SCORES_SUFFIX } from '../layers/attention-layers';
import { timeAxes } from './time-axis';
import { isSoftmax } from '../layers/activations';
import { Shape } from '../layers/base';
import { softmaxLayerAxis } from '../layers/activation';
import { parseLambdaForm } from '../layers/lambda';
import { ModelError } from '../types';
import { formatDims } from '../shapes';

export interface IAttentionChoice {
  layer: string;
  chosenBy: 'name' | 'auto';
  /** What was inferred to make the choice, in words (for `IModelInfo.inferences`). */
  inference?: string;
}

/** The model's number of time steps (first input axis), null when variable. */
export function timeSteps(graph: IGraph): number | null {
  const shape = graph.inputShapes[0];
  return shape && shape.length >= 1 ? shape[0] : null;
}

/** Whether a shape is [T] or [T, 1] for the model's T. */
export function isTimeShape(shape: Shape, steps: number | null): boolean {
  const matches = (d: number | null) =>
    steps === null || d === null || d === steps;
  if (shape.length === 1) {
    return matches(shape[0]);
  }
  return shape.length === 2 && shape[1] === 1 && matches(shape[0]);
}

/** The softmax axis (of the batch-less input shape) a layer applies, or null. */
function softmaxAxisOf(
  layer: IGraphLayerSpec,
  inShape: Shape,
  lambdas: { [k: string]: string }
): number | null {
  const rank = inShape.length + 1;
  const toIndex = (axis: number) => (axis < 0 ? axis + rank : axis) - 1;
  switch (layer.className) {
    case 'Activation':
      return isSoftmax(layer.config.activation) ? inShape.length - 1 : null;
    case 'Softmax':
      return toIndex(softmaxLayerAxis(layer.config));
    case 'Lambda': {
      const op = lambdas[layer.name]
        ? parseLambdaForm(lambdas[layer.name])
        : null;
      return op && op.kind === 'softmax' ? toIndex(op.axis) : null;
    }
    default:
      // A Dense softmax mixes positions: a classifier head, never attention.
      return null;
  }
}

/**
 * Layers whose own computation is a softmax over the input's time axis (the
 * positions of the sequence path, tracked through the graph), with output
 * [batch, T] or [batch, T, 1].
 */
export function softmaxOverTime(
  graph: IGraph,
  lambdas: { [k: string]: string } = {}
): IGraphLayerSpec[] {
  const steps = timeSteps(graph);
  const axes = timeAxes(graph, lambdas);
  const out: IGraphLayerSpec[] = [];
  for (const step of graph.steps) {
    if (!step.impl || step.node !== 0 || step.inputs.length !== 1) {
      continue;
    }
    const shape = graph.shapes.get(step.layer.name);
    const input = step.inputs[0];
    const inShape = graph.shapes.get(input.layer);
    if (!shape || !inShape || !isTimeShape(shape, steps)) {
      continue;
    }
    const t = input.tensor === 0 ? axes.get(input.layer) : null;
    if (t === null || t === undefined) {
      continue;
    }
    if (softmaxAxisOf(step.layer, inShape, lambdas) === t) {
      out.push(step.layer);
    }
  }
  return out;
}

/** Attention layers used as self-attention over the sequence (query = value). */
function selfAttentionScores(graph: IGraph): string[] {
  const axes = timeAxes(graph);
  const out: string[] = [];
  for (const step of graph.steps) {
    const name = `${step.layer.name}${SCORES_SUFFIX}`;
    if (
      !step.impl?.keyWeightsShape ||
      step.node !== 0 ||
      !graph.shapes.has(name)
    ) {
      continue;
    }
    const same = (a: INodeRef, b: INodeRef) =>
      a.layer === b.layer && a.node === b.node && a.tensor === b.tensor;
    const data = step.inputs.filter(
      r => !r.kwarg || ['query', 'value', 'key'].includes(r.kwarg)
    );
    const q = data[0];
    if (
      q &&
      data.length >= 2 &&
      data.every(r => same(r, q)) &&
      axes.get(q.layer) === 0
    ) {
      out.push(name);
    }
  }
  return out;
}

export function chooseAttention(
  graph: IGraph,
  requested: string | undefined,
  lambdas: { [k: string]: string } = {}
): IAttentionChoice {
  const steps = timeSteps(graph);
  const describeShape = (s: Shape) => `[batch, ${formatDims(s)}]`;
  if (requested !== undefined) {
    const shape = graph.shapes.get(requested);
    if (!shape) {
      const names = graph.layerInfo.map(l => l.name).join(', ');
      throw new ModelError(
        `No layer named '${requested}' in the model (layers: ${names})`,
        {
          layer: requested
        }
      );
    }
    const info = graph.layerInfo.find(l => l.name === requested);
    const scores = `${requested}${SCORES_SUFFIX}`;
    if (
      !isTimeShape(shape, steps) &&
      info &&
      SCORE_LAYERS.includes(info.className) &&
      graph.shapes.has(scores)
    ) {
      return {
        layer: scores,
        chosenBy: 'name',
        inference: scoresInference(graph, requested, false)
      };
    }
    if (!isTimeShape(shape, steps)) {
      throw new ModelError(
        `Layer '${requested}' (${info?.className}) is not an attention over time: its output is ` +
          `${describeShape(shape)}, expected [batch, ${steps ?? 'T'}] or [batch, ${steps ?? 'T'}, 1]`,
        { layer: requested, className: info?.className }
      );
    }
    return { layer: requested, chosenBy: 'name' };
  }
  const candidates = softmaxOverTime(graph, lambdas);
  if (candidates.length) {
    const named = candidates.find(l => /attention/i.test(l.name));
    const chosen = named ?? candidates[0];
    return {
      layer: chosen.name,
      chosenBy: 'auto',
      inference:
        `Attention layer '${chosen.name}' (${chosen.className}) found automatically: ` +
        `a softmax over the time axis of the input sequence` +
        (candidates.length > 1
          ? ` (candidates: ${candidates.map(c => c.name).join(', ')})`
          : '')
    };
  }
  const scores = selfAttentionScores(graph);
  if (scores.length) {
    const layer = scores[0].slice(0, -SCORES_SUFFIX.length);
    return {
      layer: scores[0],
      chosenBy: 'auto',
      inference: scoresInference(graph, layer, true)
    };
  }
  throw new ModelError(
    `No attention layer found: no layer applies a softmax over the time axis of the input ` +
      `sequence with output [batch, ${steps ?? 'T'}] or [batch, ${steps ?? 'T'}, 1], and no ` +
      `self-attention layer was found. Name the layer (--layer NAME), or attribute the ` +
      `prediction to the characters without an attention layer: char-attention explain.`
  );
}

function scoresInference(graph: IGraph, layer: string, auto: boolean): string {
  const info = graph.layerInfo.find(l => l.name === layer);
  const spec = graph.spec.layers.find(l => l.name === layer);
  const heads =
    info?.className === 'MultiHeadAttention'
      ? ` over its ${spec?.config.num_heads} heads and`
      : ' over';
  return (
    `Attention shown for ${info?.className} '${layer}'${auto ? ' (found automatically, self-attention)' : ''}: ` +
    `the mean${heads} all queries of the weight each position receives as a key`
  );
}
