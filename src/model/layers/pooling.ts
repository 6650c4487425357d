/**
 * 1-D pooling: MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D,
 * GlobalAveragePooling1D (mask-aware like Keras).
 */
import {
  IBuildContext,
  ILayer,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  Shape
} from './base';
import {
  single,
  stepsInput,
  windowGeometry,
  windowInput,
  windowSteps
} from './conv1d';

export function createPooling1d(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const inShape = windowInput(spec, inputShapes);
  const isMax = spec.className.startsWith('Max');
  const size = single(spec.config.pool_size, 2);
  const stride = single(spec.config.strides, size);
  const padding = String(spec.config.padding ?? 'valid').toLowerCase();
  const steps = inShape[0];
  /** Window o of an input of `length` steps: [from, to). */
  const window = (length: number) => {
    const { outLength, padLeft } = windowGeometry(
      length,
      size,
      stride,
      1,
      padding
    );
    return {
      outLength,
      from: (o: number) => Math.max(o * stride - padLeft, 0),
      to: (o: number) => Math.min(o * stride - padLeft + size, length)
    };
  };
  const forward = (x: ITensor) => {
    const [batch, length, channels] = x.shape;
    const { outLength, from, to } = window(length);
    const data = new Float32Array(batch * outLength * channels);
    for (let b = 0; b < batch; b++) {
      for (let o = 0; o < outLength; o++) {
        const start = from(o);
        const end = to(o);
        for (let c = 0; c < channels; c++) {
          let acc = isMax ? -Infinity : 0;
          for (let t = start; t < end; t++) {
            const v = x.data[(b * length + t) * channels + c];
            acc = isMax ? Math.max(acc, v) : acc + v;
          }
          data[(b * outLength + o) * channels + c] = isMax
            ? acc
            : acc / Math.max(end - start, 1);
        }
      }
    }
    return { shape: [batch, outLength, channels], data };
  };
  return {
    name: spec.name,
    className: spec.className,
    outputShape: [windowSteps(steps, size, stride, 1, padding), inShape[1]],
    call(inputs: ITensor[]) {
      return { output: forward(inputs[0]), mask: null };
    },
    callForGradient(inputs: ITensor[]) {
      const x = inputs[0];
      const output = forward(x);
      return {
        output,
        mask: null,
        backward([dy]) {
          if (!dy) {
            return [null];
          }
          const dx = Private.windowGradient(
            x,
            output.data,
            dy.data,
            window(x.shape[1]),
            isMax
          );
          return [{ shape: x.shape, data: dx }];
        }
      };
    }
  };
}

export function createGlobalPooling1d(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const inShape = stepsInput(spec, inputShapes);
  const isMax = spec.className.includes('Max');
  const keepDims = spec.config.keepdims === true;
  const layer: ILayer = {
    name: spec.name,
    className: spec.className,
    outputShape: keepDims ? [1, inShape[1]] : [inShape[1]],
    callForGradient(inputs: ITensor[], masks: Array<IMask | null>) {
      const x = inputs[0];
      const result = layer.call(inputs, masks);
      const mask = masks[0] && masks[0].steps === x.shape[1] ? masks[0] : null;
      return {
        ...result,
        backward([dy]) {
          if (!dy) {
            return [null];
          }
          const dx = isMax
            ? Private.maxGradient(x, result.output.data, dy.data)
            : Private.meanGradient(x, mask, dy.data);
          return [{ shape: x.shape, data: dx }];
        }
      };
    },
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const x = inputs[0];
      const [batch, length, channels] = x.shape;
      const mask = masks[0] && masks[0].steps === length ? masks[0] : null;
      const data = new Float32Array(batch * channels);
      const src = x.data;
      // Steps outside, channels inside (memory order); each channel still
      // sums its steps in order, in double precision.
      const acc = new Float64Array(channels);
      for (let b = 0; b < batch; b++) {
        acc.fill(isMax ? -Infinity : 0);
        let count = 0;
        for (let t = 0; t < length; t++) {
          if (mask && !isMax && !mask.data[b * length + t]) {
            continue;
          }
          const row = (b * length + t) * channels;
          if (isMax) {
            for (let c = 0; c < channels; c++) {
              acc[c] = Math.max(acc[c], src[row + c]);
            }
          } else {
            for (let c = 0; c < channels; c++) {
              acc[c] += src[row + c];
            }
          }
          count++;
        }
        const divisor = Math.max(count, 1);
        for (let c = 0; c < channels; c++) {
          data[b * channels + c] = isMax ? acc[c] : acc[c] / divisor;
        }
      }
      return {
        output: {
          shape: keepDims ? [batch, 1, channels] : [batch, channels],
          data
        },
        mask: null
      };
    }
  };
  return layer;
}

namespace Private {
  /**
   * The gradient of a windowed max or average: TensorFlow's MaxPoolGrad
   * gives a window's whole gradient to its first maximum; an average
   * spreads it over the steps the window covers. Overlapping windows add.
   */
  export function windowGradient(
    x: ITensor,
    y: Float32Array,
    dy: Float32Array,
    w: {
      outLength: number;
      from: (o: number) => number;
      to: (o: number) => number;
    },
    isMax: boolean
  ): Float32Array {
    const [batch, length, channels] = x.shape;
    const dx = new Float32Array(x.data.length);
    for (let b = 0; b < batch; b++) {
      for (let o = 0; o < w.outLength; o++) {
        const from = w.from(o);
        const to = w.to(o);
        for (let c = 0; c < channels; c++) {
          const out = (b * w.outLength + o) * channels + c;
          const at = (t: number) => (b * length + t) * channels + c;
          if (isMax) {
            let t = from;
            while (t < to && x.data[at(t)] !== y[out]) {
              t++;
            }
            if (t < to) {
              dx[at(t)] += dy[out];
            }
          } else {
            const share = dy[out] / Math.max(to - from, 1);
            for (let t = from; t < to; t++) {
              dx[at(t)] += share;
            }
          }
        }
      }
    }
    return dx;
  }

  /**
   * reduce_max's gradient (TensorFlow's _MaxGrad): each channel's gradient
   * split equally among the steps that hold its maximum.
   */
  export function maxGradient(
    x: ITensor,
    max: Float32Array,
    dy: Float32Array
  ): Float32Array {
    const [batch, length, channels] = x.shape;
    const dx = new Float32Array(x.data.length);
    const ties = new Int32Array(channels);
    for (let b = 0; b < batch; b++) {
      ties.fill(0);
      const m = b * channels;
      for (let t = 0; t < length; t++) {
        const row = (b * length + t) * channels;
        for (let c = 0; c < channels; c++) {
          if (x.data[row + c] === max[m + c]) {
            ties[c]++;
          }
        }
      }
      for (let t = 0; t < length; t++) {
        const row = (b * length + t) * channels;
        for (let c = 0; c < channels; c++) {
          if (x.data[row + c] === max[m + c]) {
            dx[row + c] = dy[m + c] / ties[c];
          }
        }
      }
    }
    return dx;
  }

  /** The mean's gradient: equal shares over the steps averaged (unmasked). */
  export function meanGradient(
    x: ITensor,
    mask: IMask | null,
    dy: Float32Array
  ): Float32Array {
    const [batch, length, channels] = x.shape;
    const dx = new Float32Array(x.data.length);
    for (let b = 0; b < batch; b++) {
      let count = 0;
      for (let t = 0; t < length; t++) {
        count += !mask || mask.data[b * length + t] ? 1 : 0;
      }
      for (let t = 0; t < length; t++) {
        if (mask && !mask.data[b * length + t]) {
          continue;
        }
        const row = (b * length + t) * channels;
        for (let c = 0; c < channels; c++) {
          dx[row + c] = dy[b * channels + c] / Math.max(count, 1);
        }
      }
    }
    return dx;
  }
}
