/**
 * Per-row metrics from the model's output: the explained output f, the
 * predicted class, whether it is correct, and the cross-entropy loss. Pure.
 *
 * - One output unit (a sigmoid): f = the output (unit 0), the predicted
 *   class is 1 when f > 0.5 (Keras's `binary_accuracy`), the loss is the
 *   binary cross-entropy -(y log p + (1 - y) log(1 - p)).
 * - k units (a softmax): the predicted class is the first largest output,
 *   f = the output of the target unit (the predicted class unless a target
 *   is given), the loss is the categorical cross-entropy -log p[label].
 * - p is clipped to [1e-7, 1 - 1e-7] first (Keras's epsilon), so a
 *   confident mistake costs at most -log(1e-7) = 16.118.
 */

export const EPSILON = 1e-7;

export interface IRowMetrics {
  /** The explained output f. */
  prediction: number;
  /** The output unit f is read from. */
  target: number;
  predictedClass: number;
  /** null when the row has no label. */
  correct: boolean | null;
  loss: number | null;
}

/** The first largest output (numpy's argmax). */
export function argmax(output: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < output.length; i++) {
    if (output[i] > output[best]) {
      best = i;
    }
  }
  return best;
}

export function predictedClassOf(output: ArrayLike<number>): number {
  return output.length === 1 ? (output[0] > 0.5 ? 1 : 0) : argmax(output);
}

/** The unit explained: `target` if given, else 0 for one unit, else the predicted class. */
export function targetUnit(
  output: ArrayLike<number>,
  target: number | null
): number {
  if (target !== null) {
    if (target >= output.length) {
      throw new Error(
        `target ${target} is out of range: the model has ${output.length} output unit(s) (0..${output.length - 1})`
      );
    }
    return target;
  }
  return output.length === 1 ? 0 : argmax(output);
}

function clip(p: number): number {
  return Math.min(1 - EPSILON, Math.max(EPSILON, p));
}

/** Binary or categorical cross-entropy of one row (see the module comment). */
export function crossEntropy(output: ArrayLike<number>, label: number): number {
  if (output.length === 1) {
    const p = clip(output[0]);
    return -(label * Math.log(p) + (1 - label) * Math.log(1 - p));
  }
  return -Math.log(clip(output[label]));
}

export function rowMetrics(
  output: ArrayLike<number>,
  label: number | null,
  target: number | null = null
): IRowMetrics {
  const unit = targetUnit(output, target);
  const predictedClass = predictedClassOf(output);
  return {
    prediction: output[unit],
    target: unit,
    predictedClass,
    correct: label === null ? null : predictedClass === label,
    loss: label === null ? null : crossEntropy(output, label)
  };
}
