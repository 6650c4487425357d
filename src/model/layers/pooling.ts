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
  return {
    name: spec.name,
    className: spec.className,
    outputShape: [windowSteps(steps, size, stride, 1, padding), inShape[1]],
    call(inputs: ITensor[]) {
      const x = inputs[0];
      const [batch, length, channels] = x.shape;
      const { outLength, padLeft } = windowGeometry(
        length,
        size,
        stride,
        1,
        padding
      );
      const data = new Float32Array(batch * outLength * channels);
      for (let b = 0; b < batch; b++) {
        for (let o = 0; o < outLength; o++) {
          const from = Math.max(o * stride - padLeft, 0);
          const to = Math.min(o * stride - padLeft + size, length);
          for (let c = 0; c < channels; c++) {
            let acc = isMax ? -Infinity : 0;
            for (let t = from; t < to; t++) {
              const v = x.data[(b * length + t) * channels + c];
              acc = isMax ? Math.max(acc, v) : acc + v;
            }
            data[(b * outLength + o) * channels + c] = isMax
              ? acc
              : acc / Math.max(to - from, 1);
          }
        }
      }
      return {
        output: { shape: [batch, outLength, channels], data },
        mask: null
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
  return {
    name: spec.name,
    className: spec.className,
    outputShape: keepDims ? [1, inShape[1]] : [inShape[1]],
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
}
