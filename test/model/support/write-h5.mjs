// Writes an HDF5 file with h5wasm (ESM-only, so tests run it as a child process).
// Usage: node write-h5.mjs spec.json — spec: { out, groups: [path], attrs: [{path, name, value}],
// datasets: [{path, shape, data}] }.
import { readFileSync } from 'fs';
import h5wasm from 'h5wasm/node';

await h5wasm.ready;
const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const file = new h5wasm.File(spec.out, 'w');
const node = path => (path === '' || path === '/' ? file : file.get(path));
for (const group of spec.groups ?? []) {
  const parts = group.split('/');
  let at = '';
  for (const part of parts) {
    const next = at ? `${at}/${part}` : part;
    if (!file.get(next)) {
      node(at).create_group(part);
    }
    at = next;
  }
}
for (const d of spec.datasets ?? []) {
  const slash = d.path.lastIndexOf('/');
  const parent = slash < 0 ? '' : d.path.slice(0, slash);
  node(parent).create_dataset({
    name: d.path.slice(slash + 1),
    data: new Float32Array(d.data),
    shape: d.shape,
    dtype: '<f',
    ...(d.chunks ? { chunks: d.chunks } : {}),
    ...(d.compression ? { compression: d.compression } : {})
  });
}
for (const a of spec.attrs ?? []) {
  node(a.path).create_attribute(a.name, a.value);
}
file.close();
