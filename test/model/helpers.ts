/**
 * Test helpers: fixture paths and building small graphs from a config and weights.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildGraph, IGraph } from '../../src/model/graph/graph';
import { parseModelConfig } from '../../src/model/graph/keras-config';
import { IWeight } from '../../src/model/layers/base';

export const FIXTURES = path.resolve(__dirname, '../fixtures');

export function fixture(...parts: string[]): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(FIXTURES, ...parts)));
}

export function fixtureJson(...parts: string[]): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, ...parts), 'utf8'));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m;
}

export function weight(
  name: string,
  shape: number[],
  data: ArrayLike<number>
): IWeight {
  return { name, shape, data: Float32Array.from(data) };
}

/** A functional model: one Input of `inputShape`, then `layers` chained. */
export function chainGraph(
  inputShape: Array<number | null>,
  layers: Array<{ class_name: string; config: any }>,
  weights: { [layer: string]: IWeight[] },
  options: {
    kerasMajor?: number;
    simd?: boolean;
    lambdas?: { [k: string]: string };
  } = {}
): IGraph {
  const config = {
    class_name: 'Sequential',
    config: [
      {
        class_name: 'InputLayer',
        config: { name: 'input', batch_input_shape: [null, ...inputShape] }
      },
      ...layers
    ]
  };
  const spec = parseModelConfig(config, 'test');
  return buildGraph(spec, new Map(Object.entries(weights)), {
    kerasMajor: options.kerasMajor ?? 2,
    simd: options.simd,
    lambdas: options.lambdas
  });
}

/** Records of an nntrainer golden file: int32 count then that many float32. */
export function nntrainerRecords(bytes: Uint8Array): Float32Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Float32Array[] = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    const count = view.getInt32(at, true);
    at += 4;
    const rec = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      rec[i] = view.getFloat32(at + 4 * i, true);
    }
    at += 4 * count;
    out.push(rec);
  }
  return out;
}
