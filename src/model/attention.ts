/**
 * Choosing the attention layer: by name, or automatically as a layer that
 * applies softmax over the time axis with output [batch, T] or [batch, T, 1].
 */
import { IGraph } from './graph';
import { IGraphLayerSpec } from './keras';
import { isSoftmax } from './layers/activations';
import { Shape } from './layers/base';
import { softmaxLayerAxis } from './layers/activation';
import { parseLambdaForm } from './layers/lambda';
import { ModelError } from './types';
import { formatDims } from './shapes';

export interface IAttentionChoice {
  layer: string;
  chosenBy: 'name' | 'auto';
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

/** Whether a layer's own computation ends in a softmax over the time axis. */
function softmaxOverTime(
  layer: IGraphLayerSpec,
  shape: Shape,
  lambdas: { [k: string]: string }
): boolean {
  const timeAxes = shape.length === 1 ? [1, -1] : [1, -2];
  switch (layer.className) {
    case 'Activation':
      return isSoftmax(layer.config.activation) && shape.length === 1;
    case 'Softmax':
      return timeAxes.includes(softmaxLayerAxis(layer.config));
    case 'Dense':
      return isSoftmax(layer.config.activation) && shape.length === 1;
    case 'Lambda': {
      const op = lambdas[layer.name]
        ? parseLambdaForm(lambdas[layer.name])
        : null;
      return !!op && op.kind === 'softmax' && timeAxes.includes(op.axis);
    }
    default:
      return false;
  }
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
    if (!isTimeShape(shape, steps)) {
      const info = graph.layerInfo.find(l => l.name === requested);
      throw new ModelError(
        `Layer '${requested}' (${info?.className}) is not an attention over time: its output is ` +
          `${describeShape(shape)}, expected [batch, ${steps ?? 'T'}] or [batch, ${steps ?? 'T'}, 1]`,
        { layer: requested, className: info?.className }
      );
    }
    return { layer: requested, chosenBy: 'name' };
  }
  const candidates = graph.spec.layers.filter(layer => {
    const shape = graph.shapes.get(layer.name);
    return (
      !!shape &&
      isTimeShape(shape, steps) &&
      softmaxOverTime(layer, shape, lambdas)
    );
  });
  if (candidates.length === 0) {
    throw new ModelError(
      `No attention layer found: no layer applies a softmax over the time axis with output ` +
        `[batch, ${steps ?? 'T'}] or [batch, ${steps ?? 'T'}, 1]. Name the layer explicitly.`
    );
  }
  const named = candidates.find(l => /attention/i.test(l.name));
  return { layer: (named ?? candidates[0]).name, chosenBy: 'auto' };
}
