/**
 * Real-Keras oracle fixtures of `scripts/keras_fixtures/layers.py`: loading
 * a case from its `.keras` / `.h5` file and comparing per-layer outputs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadGraph } from '../../../src/model/engine';
import { IGraph, runGraph } from '../../../src/model/graph/graph';
import { ITensor } from '../../../src/model/layers/base';
import { FIXTURES } from '../helpers';

export const DIR = path.join(FIXTURES, 'keras', 'layers');

export interface ICase {
  inputs: any[];
  outputs: any[];
  layers: { [name: string]: any };
  [key: string]: any;
}

export function readCase(name: string): ICase {
  const file = path.join(DIR, `${name}.json`);
  if (!fs.existsSync(file)) {
    throw new Error(
      `missing oracle ${file}: run .venv/bin/python scripts/make-keras-fixtures.py layers`
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function modelFile(file: string): { [name: string]: Uint8Array } {
  return { [file]: new Uint8Array(fs.readFileSync(path.join(DIR, file))) };
}

export function load(file: string, lambdas?: { [k: string]: string }): IGraph {
  return loadGraph(modelFile(file), { lambdas }).graph;
}

function flat(x: any): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

function shapeOf(x: any): number[] {
  return Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : [];
}

export function toTensor(x: any): ITensor {
  return { shape: shapeOf(x), data: Float32Array.from(flat(x)) };
}

/** Runs the case's inputs; returns model outputs and the named layers' outputs. */
export function run(
  graph: IGraph,
  c: ICase,
  layers: string[] = Object.keys(c.layers)
): { outputs: ITensor[]; activations: { [name: string]: ITensor } } {
  return runGraph(graph, c.inputs.map(toTensor), { outputs: layers });
}

/** Largest absolute difference, after checking that the shapes agree. */
export function diff(actual: ITensor, expected: any): number {
  const e = flat(expected);
  expect(actual.shape).toEqual(shapeOf(expected));
  let m = 0;
  for (let i = 0; i < e.length; i++) {
    m = Math.max(m, Math.abs(actual.data[i] - e[i]));
    if (Number.isNaN(actual.data[i])) {
      return Infinity;
    }
  }
  return m;
}
