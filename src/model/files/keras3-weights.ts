/**
 * The layout of a Keras 3 `model.weights.h5`: layer objects are stored as
 * `layers/<snake_case class>[_N]`, their variables under `vars/0..`, nested
 * objects (RNN `cell`, wrapper `layer`, `forward_layer`/`backward_layer`) in
 * subgroups. Which stored object belongs to which layer of a model is
 * `graph/keras3-layer-weights.ts`. Pure.
 */
import { IWeight, ModelError } from '../types';
import { H5File } from './hdf5/file';

/** Keras 3 `naming.to_snake_case`. */
export function toSnakeCase(name: string): string {
  let s = name.replace(/\W+/g, '');
  s = s.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  return s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Deeper nesting than any Keras object has: a damaged or hostile file. */
const MAX_DEPTH = 64;

/**
 * The variables of the object at `root` and of its nested objects, in
 * Keras order (own `vars` first, then `cell`, `layer`, the rest by name;
 * `forward_layer` before `backward_layer`). Iterative, and each group is
 * read once: a group reached twice (a hard-link loop or DAG) is an error.
 */
export function storedObjectWeights(
  file: H5File,
  root: string,
  visited: Set<number>
): IWeight[] {
  const out: IWeight[] = [];
  const stack: Array<{ path: string; depth: number }> = [
    { path: root, depth: 0 }
  ];
  while (stack.length) {
    const { path, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) {
      throw new ModelError(
        `${file.fileName}: '${root}' is nested more than ${MAX_DEPTH} levels deep: the file is damaged`,
        { file: file.fileName }
      );
    }
    const address = file.address(path);
    if (address === null || !file.isGroup(path)) {
      continue;
    }
    if (visited.has(address)) {
      throw new ModelError(
        `${file.fileName}: the group '${path}' is reached a second time (it is linked from two places): ` +
          'the file is damaged or hostile',
        { file: file.fileName }
      );
    }
    visited.add(address);
    const keys = file.keys(path);
    let children: string[];
    if (keys.includes('forward_layer') && keys.includes('backward_layer')) {
      children = ['forward_layer', 'backward_layer'];
    } else {
      if (keys.includes('vars')) {
        const names = file
          .keys(`${path}/vars`)
          .slice()
          .sort((a, b) => Number(a) - Number(b));
        for (const n of names) {
          const { shape, data } = file.dataset(`${path}/vars/${n}`);
          out.push({ name: `${path}/vars/${n}`, shape, data });
        }
      }
      const order = ['cell', 'layer'];
      children = keys
        .filter(k => k !== 'vars' && file.isGroup(`${path}/${k}`))
        .sort((a, b) => {
          const ia = order.indexOf(a);
          const ib = order.indexOf(b);
          return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
        });
    }
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ path: `${path}/${children[i]}`, depth: depth + 1 });
    }
  }
  return out;
}
