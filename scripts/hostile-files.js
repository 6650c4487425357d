/**
 * Builds the hostile model, tokenizer and payload files the hostile-input
 * tests (test/hostile/, e2e/hostile.test.mjs) feed to the product. Every file
 * is derived at test time from the small real-Keras fixtures in
 * test/fixtures/keras/hostile (made by scripts/keras_fixtures/hostile.py), so
 * nothing large is committed.
 *
 * Usage: node scripts/hostile-files.js OUT_DIR [NAME ...]
 * writes the named attacks (default: all) into OUT_DIR and prints their names.
 * From code: `require('./hostile-files').ATTACKS[name](dir)` returns the path
 * it wrote.
 *
 * The HDF5 edits work on files written by h5py with its default format
 * (superblock version 0, version 1 B-trees): new structures are appended at
 * the end of the file and the superblock's end-of-file address is updated.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { unzipSync, zipSync } = require('fflate');

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'keras', 'hostile');
const DEMO = path.join(ROOT, 'examples', 'models', 'demo');

function fixture(name) {
  return new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
}

// ---------------------------------------------------------------- bytes

function u16(b, at) {
  return b[at] | (b[at + 1] << 8);
}

function u32(b, at) {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 2 ** 24;
}

function u64(b, at) {
  return u32(b, at) + u32(b, at + 4) * 2 ** 32;
}

function setU32(b, at, v) {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
}

function setU64(b, at, v) {
  new DataView(b.buffer, b.byteOffset).setBigUint64(at, BigInt(v), true);
}

function u64Bytes(v) {
  const b = new Uint8Array(8);
  setU64(b, 0, v);
  return b;
}

function indexesOf(bytes, needle, from = 0) {
  const out = [];
  outer: for (let i = from; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (bytes[i + j] !== needle[j]) {
        continue outer;
      }
    }
    out.push(i);
  }
  return out;
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Replaces every little-endian uint64 `from` in `bytes` (at least once). */
function replaceU64(bytes, from, to) {
  const hits = indexesOf(bytes, u64Bytes(from));
  if (!hits.length) {
    throw new Error(`address ${from} not found`);
  }
  for (const at of hits) {
    setU64(bytes, at, to);
  }
  return hits.length;
}

// ---------------------------------------------------------------- HDF5 edits

/** The v0 superblock's end-of-file address (h5py's default format). */
const EOF_ADDRESS_AT = 40;
/** Root group symbol table entry: scratch pad with the B-tree address. */
const ROOT_BTREE_AT = 80;

/** `bytes` plus `blocks` appended (8-byte aligned), with their addresses. */
function append(bytes, blocks) {
  let end = Math.ceil(bytes.length / 8) * 8;
  const addresses = [];
  const parts = [bytes, new Uint8Array(end - bytes.length)];
  for (const block of blocks) {
    addresses.push(end);
    const padded = Math.ceil(block.length / 8) * 8;
    parts.push(block, new Uint8Array(padded - block.length));
    end += padded;
  }
  const out = concat(parts);
  if (out[8] !== 0) {
    throw new Error('only superblock version 0 files are edited here');
  }
  setU64(out, EOF_ADDRESS_AT, out.length);
  return { bytes: out, addresses };
}

/**
 * The version 1 B-tree nodes of raw data chunks (type 1, level 0) whose
 * keys fit a dataset of `rank` dimensions: {at, entries: [{keyAt, child,
 * size}]}.
 */
function chunkLeaves(bytes, rank) {
  const keySize = 8 + (rank + 1) * 8;
  const out = [];
  for (const at of indexesOf(bytes, [0x54, 0x52, 0x45, 0x45])) {
    if (bytes[at + 4] !== 1 || bytes[at + 5] !== 0) {
      continue;
    }
    const used = u16(bytes, at + 6);
    const entries = [];
    let ok = true;
    for (let i = 0; i < used && ok; i++) {
      const keyAt = at + 24 + i * (keySize + 8);
      const size = u32(bytes, keyAt);
      const child = u64(bytes, keyAt + keySize);
      ok =
        child + size <= bytes.length && u64(bytes, keyAt + keySize - 8) === 0;
      entries.push({ keyAt, child, size });
    }
    if (ok && used > 0) {
      out.push({ at, entries, keySize });
    }
  }
  return out;
}

/** The chunk leaf whose single chunk inflates to `rawBytes` bytes. */
function leafOfChunk(bytes, rank, rawBytes) {
  for (const leaf of chunkLeaves(bytes, rank)) {
    const e = leaf.entries[0];
    try {
      const raw = zlib.inflateSync(bytes.subarray(e.child, e.child + e.size));
      if (raw.length === rawBytes && leaf.entries.length === 1) {
        return leaf;
      }
    } catch {
      // not this one
    }
  }
  throw new Error(`no chunk of ${rawBytes} bytes found`);
}

/**
 * A zlib stream of `size` zero bytes (a multiple of 16 MB) built from one
 * sync-flushed deflate segment repeated: about 1,000 times smaller.
 */
function zlibBomb(size) {
  const SEGMENT = 16 << 20;
  if (size % SEGMENT) {
    throw new Error('the bomb size must be a multiple of 16 MB');
  }
  const segment = zlib.deflateRawSync(Buffer.alloc(SEGMENT), {
    level: 9,
    finishFlush: zlib.constants.Z_SYNC_FLUSH
  });
  const parts = [Uint8Array.of(0x78, 0xda)];
  for (let i = 0; i < size / SEGMENT; i++) {
    parts.push(segment);
  }
  // A final empty block, then Adler-32 of `size` zeros (a = 1, b = size mod 65521).
  const adler = ((size % 65521) * 65536 + 1) >>> 0;
  parts.push(
    Uint8Array.of(0x03, 0x00),
    Uint8Array.of(
      adler >>> 24,
      (adler >>> 16) & 255,
      (adler >>> 8) & 255,
      adler & 255
    )
  );
  return concat(parts);
}

/** Points the (16, 4) embedding chunk of a gzip-chunked file at a zlib bomb. */
function chunkBomb(bytes, size) {
  const leaf = leafOfChunk(bytes, 2, 16 * 4 * 4);
  const bomb = zlibBomb(size);
  const { bytes: out, addresses } = append(bytes, [bomb]);
  const entry = leaf.entries[0];
  setU32(out, entry.keyAt, bomb.length);
  setU64(out, entry.keyAt + leaf.keySize, addresses[0]);
  return out;
}

/**
 * Version 1 B-tree nodes stacked `depth` levels above the node at `child`
 * (its level 0), each with `fanout` entries that all point to the node
 * below: a DAG that a tree walk visits fanout^depth times.
 */
function dagNodes(type, key, child, depth, fanout, firstAddress) {
  const nodes = [];
  let below = child;
  let next = firstAddress;
  for (let level = 1; level <= depth; level++) {
    const node = new Uint8Array(24 + fanout * (key.length + 8) + key.length);
    node.set([0x54, 0x52, 0x45, 0x45, type, level], 0);
    node[6] = fanout & 255;
    node[7] = fanout >> 8;
    node.fill(0xff, 8, 24);
    for (let i = 0; i < fanout; i++) {
      const at = 24 + i * (key.length + 8);
      node.set(key, at);
      setU64(node, at + key.length, below);
    }
    node.set(key, 24 + fanout * (key.length + 8));
    nodes.push(node);
    below = next;
    next += Math.ceil(node.length / 8) * 8;
  }
  return nodes;
}

/** Appends a DAG of B-tree nodes above `leafAddress` and repoints `leafAddress`'s users to its top. */
function stackDag(bytes, type, key, leafAddress, depth, fanout) {
  const start = Math.ceil(bytes.length / 8) * 8;
  const nodes = dagNodes(type, key, leafAddress, depth, fanout, start);
  const patched = bytes.slice();
  let top = start;
  for (let i = 0; i < nodes.length - 1; i++) {
    top += Math.ceil(nodes[i].length / 8) * 8;
  }
  replaceU64(patched, leafAddress, top);
  return append(patched, nodes).bytes;
}

/** The chunk B-tree of the embedding turned into a DAG. */
function chunkDag(bytes, depth, fanout) {
  const leaf = leafOfChunk(bytes, 2, 16 * 4 * 4);
  const key = bytes.slice(
    leaf.entries[0].keyAt,
    leaf.entries[0].keyAt + leaf.keySize
  );
  return stackDag(bytes, 1, key, leaf.at, depth, fanout);
}

/** The root group's B-tree turned into a DAG. */
function rootGroupDag(bytes, depth, fanout) {
  const root = u64(bytes, ROOT_BTREE_AT);
  return stackDag(bytes, 0, new Uint8Array(8), root, depth, fanout);
}

/** Global heap collections: address -> [{index, dataAt, size}]. */
function globalHeaps(bytes) {
  const heaps = new Map();
  for (const at of indexesOf(bytes, [0x47, 0x43, 0x4f, 0x4c])) {
    const size = u64(bytes, at + 8);
    const objects = [];
    let p = at + 16;
    while (p + 16 <= at + size) {
      const index = u16(bytes, p);
      const length = u64(bytes, p + 8);
      if (index === 0) {
        break;
      }
      objects.push({ index, dataAt: p + 16, size: length });
      p += 16 + Math.ceil(length / 8) * 8;
    }
    heaps.set(at, objects);
  }
  return heaps;
}

/** Where the heap IDs of the variable-length string `text` are (16 bytes each). */
function heapIdOf(bytes, text) {
  const wanted = new TextEncoder().encode(text);
  for (const [collection, objects] of globalHeaps(bytes)) {
    for (const o of objects) {
      if (
        o.size === wanted.length &&
        wanted.every((c, i) => bytes[o.dataAt + i] === c)
      ) {
        const id = new Uint8Array(16);
        setU32(id, 0, wanted.length);
        setU64(id, 4, collection);
        setU32(id, 12, o.index);
        const hits = indexesOf(bytes, id);
        if (hits.length === 1) {
          return hits[0];
        }
      }
    }
  }
  throw new Error(`variable-length string '${text}' not found`);
}

/** A global heap collection holding one object of `size` bytes (of 'x'). */
function bigCollection(size) {
  const total = Math.max(4096, 16 + 16 + Math.ceil(size / 8) * 8 + 16);
  const heap = new Uint8Array(total);
  heap.set([0x47, 0x43, 0x4f, 0x4c, 1], 0);
  setU64(heap, 8, total);
  heap[16] = 1; // object index 1
  heap[18] = 1; // reference count
  setU64(heap, 24, size);
  heap.fill(0x78, 32, 32 + size);
  return heap;
}

/**
 * `count` variable-length strings starting with `first` repointed at one
 * string of `size` bytes appended at the end of the file.
 */
function vlenBomb(bytes, first, count, size) {
  const at = heapIdOf(bytes, first);
  const { bytes: out, addresses } = append(bytes, [bigCollection(size)]);
  for (let i = 0; i < count; i++) {
    setU32(out, at + i * 16, size);
    setU64(out, at + i * 16 + 4, addresses[0]);
    setU32(out, at + i * 16 + 12, 1);
  }
  return out;
}

/** Replaces every little-endian uint64 run `from` by `to` (dataset dimensions). */
function patchDims(bytes, from, to) {
  const out = bytes.slice();
  const needle = concat(from.map(u64Bytes));
  const hits = indexesOf(out, needle);
  if (!hits.length) {
    throw new Error(`dims [${from}] not found`);
  }
  for (const at of hits) {
    out.set(concat(to.map(u64Bytes)), at);
  }
  return out;
}

// ---------------------------------------------------------------- .keras edits

function kerasEntries(name = 'tiny.keras') {
  return unzipSync(fixture(name));
}

function kerasConfig(entries) {
  return JSON.parse(new TextDecoder().decode(entries['config.json']));
}

/** A zip of `entries` ([name, bytes] pairs: a name may repeat), deflated. */
function zip(entries) {
  const list = Array.isArray(entries) ? entries : Object.entries(entries);
  const names = new Set();
  const duplicates = [];
  const unique = {};
  for (const [name, data] of list) {
    if (names.has(name)) {
      duplicates.push([name, data]);
    } else {
      names.add(name);
      unique[name] = [data, { level: 9 }];
    }
  }
  const zipped = zipSync(unique);
  return duplicates.length ? appendZipEntries(zipped, duplicates) : zipped;
}

/** Adds stored entries to a zip (names may repeat), rewriting its directory. */
function appendZipEntries(zipped, extra) {
  const eocd = zipped.length - 22;
  const count = u16(zipped, eocd + 10);
  const dirSize = u32(zipped, eocd + 12);
  const dirAt = u32(zipped, eocd + 16);
  const parts = [zipped.subarray(0, dirAt)];
  let offset = dirAt;
  const central = [zipped.subarray(dirAt, dirAt + dirSize)];
  for (const [name, data] of extra) {
    const nameBytes = new TextEncoder().encode(name);
    const crc = zlib.crc32 ? zlib.crc32(data) : crc32(data);
    const local = new Uint8Array(30 + nameBytes.length);
    local.set([0x50, 0x4b, 0x03, 0x04, 20], 0);
    setU32(local, 14, crc);
    setU32(local, 18, data.length);
    setU32(local, 22, data.length);
    local[26] = nameBytes.length & 255;
    local[27] = nameBytes.length >> 8;
    local.set(nameBytes, 30);
    const dir = new Uint8Array(46 + nameBytes.length);
    dir.set([0x50, 0x4b, 0x01, 0x02, 20, 0, 20], 0);
    setU32(dir, 16, crc);
    setU32(dir, 20, data.length);
    setU32(dir, 24, data.length);
    dir[28] = nameBytes.length & 255;
    dir[29] = nameBytes.length >> 8;
    setU32(dir, 42, offset);
    dir.set(nameBytes, 46);
    parts.push(local, data);
    central.push(dir);
    offset += local.length + data.length;
  }
  const dir = concat(central);
  const end = new Uint8Array(22);
  end.set([0x50, 0x4b, 0x05, 0x06], 0);
  end[8] = end[10] = (count + extra.length) & 255;
  end[9] = end[11] = (count + extra.length) >> 8;
  setU32(end, 12, dir.length);
  setU32(end, 16, offset);
  return concat([...parts, dir, end]);
}

function crc32(data) {
  let crc = ~0;
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i];
    for (let k = 0; k < 8; k++) {
      crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
    }
  }
  return ~crc >>> 0;
}

function withConfig(entries, config) {
  return {
    ...entries,
    'config.json': new TextEncoder().encode(JSON.stringify(config))
  };
}

function tensor(layer, node = 0, shape = [null, 12, 4]) {
  return {
    class_name: '__keras_tensor__',
    config: { shape, dtype: 'float32', keras_history: [layer, node, 0] }
  };
}

function layerEntry(className, name, config, inbound) {
  return {
    module: 'keras.layers',
    class_name: className,
    config: { name, trainable: true, dtype: 'float32', ...config },
    registered_name: null,
    name,
    inbound_nodes: inbound
  };
}

function inputEntry(name, shape) {
  return {
    module: 'keras.layers',
    class_name: 'InputLayer',
    config: {
      batch_shape: [null, ...shape],
      dtype: 'float32',
      sparse: false,
      name
    },
    registered_name: null,
    name,
    inbound_nodes: []
  };
}

function functional(name, layers, input, output) {
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name,
      trainable: true,
      layers,
      input_layers: [input, 0, 0],
      output_layers: [output, 0, 0]
    },
    registered_name: 'Functional',
    name
  };
}

/**
 * The tiny model with `body` (layers from its Embedding, ending in `last`)
 * between its Embedding and its GRU: input, Embedding, body, then the tiny
 * model's own GRU, score, Flatten, attention and output layers (whose
 * weights the tiny archive holds). A body that computes the identity gives
 * the tiny model's predictions.
 */
function tinyWith(body, last) {
  const tiny = kerasConfig(kerasEntries()).config.layers;
  const byName = name =>
    JSON.parse(JSON.stringify(tiny.find(l => l.name === name)));
  const gru = byName('gru');
  gru.inbound_nodes[0].args[0].config.keras_history = [last, 0, 0];
  const head = ['score', 'flat', 'attention', 'out'].map(byName);
  const model = functional(
    'hostile',
    [byName('chars'), byName('embed'), ...body, gru, ...head],
    'chars',
    'out'
  );
  return { ...model, compile_config: null };
}

/**
 * Nested models `levels` deep, each calling the one below `calls` times and
 * adding the results: calls^levels layer calls once inlined.
 */
function multiplyingNest(levels, calls) {
  let inner = functional(
    'level0',
    [
      inputEntry('in0', [12, 4]),
      layerEntry('Activation', 'act0', { activation: 'linear' }, [
        { args: [tensor('in0')], kwargs: {} }
      ])
    ],
    'in0',
    'act0'
  );
  for (let level = 1; level <= levels; level++) {
    const input = `in${level}`;
    const nested = {
      ...inner,
      inbound_nodes: Array.from({ length: calls }, () => ({
        args: [tensor(input)],
        kwargs: {}
      }))
    };
    const add = layerEntry('Add', `add${level}`, {}, [
      {
        args: [Array.from({ length: calls }, (_, c) => tensor(inner.name, c))],
        kwargs: {}
      }
    ]);
    inner = functional(
      `level${level}`,
      [inputEntry(input, [12, 4]), nested, add],
      input,
      `add${level}`
    );
  }
  return inner;
}

/** `count` nested models in a chain, or one inside the other (`deep`). */
function manyNested(count, deep) {
  const leaf = i =>
    functional(
      `m${i}`,
      [
        inputEntry(`mi${i}`, [12, 4]),
        layerEntry('Activation', `ma${i}`, { activation: 'linear' }, [
          { args: [tensor(`mi${i}`)], kwargs: {} }
        ])
      ],
      `mi${i}`,
      `ma${i}`
    );
  if (deep) {
    let inner = leaf(0);
    for (let i = 1; i < count; i++) {
      inner = functional(
        `d${i}`,
        [
          inputEntry(`di${i}`, [12, 4]),
          {
            ...inner,
            inbound_nodes: [{ args: [tensor(`di${i}`)], kwargs: {} }]
          }
        ],
        `di${i}`,
        inner.name
      );
    }
    return [
      { ...inner, inbound_nodes: [{ args: [tensor('embed')], kwargs: {} }] }
    ];
  }
  const out = [];
  let previous = 'embed';
  for (let i = 0; i < count; i++) {
    out.push({
      ...leaf(i),
      inbound_nodes: [{ args: [tensor(previous)], kwargs: {} }]
    });
    previous = `m${i}`;
  }
  return out;
}

/** A chain of `count` Activation layers after the Embedding, listed last first. */
function reversedChain(count) {
  const layers = [];
  let previous = 'embed';
  for (let i = 0; i < count; i++) {
    layers.push(
      layerEntry('Activation', `a${i}`, { activation: 'linear' }, [
        { args: [tensor(previous)], kwargs: {} }
      ])
    );
    previous = `a${i}`;
  }
  return layers.reverse();
}

function textVectorizationEntries() {
  return unzipSync(
    new Uint8Array(
      fs.readFileSync(
        path.join(
          ROOT,
          'test',
          'fixtures',
          'keras',
          'layers',
          'text_vectorization.keras'
        )
      )
    )
  );
}

/** A character tokenizer JSON whose word_index has `count` entries (and the letters of 'hello'). */
function tokenizerOf(count) {
  const index = { h: 1, e: 2, l: 3, o: 4 };
  for (let i = 0; i < count; i++) {
    index[`w${i}`] = i + 5;
  }
  const config = {
    word_index: JSON.stringify(index),
    char_level: true,
    lower: true,
    oov_token: null
  };
  return JSON.stringify({ class_name: 'Tokenizer', config });
}

function writeKeras(dir, name, config, entries = kerasEntries()) {
  return write(dir, name, zip(withConfig(entries, config)));
}

function write(dir, name, bytes) {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

// ---------------------------------------------------------------- tfjs

/** A copy of the demo TensorFlow.js model in `dir/name/` with its manifest edited. */
function tfjsModel(dir, name, editManifest) {
  const folder = path.join(dir, name);
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  const model = JSON.parse(
    fs.readFileSync(path.join(DEMO, 'model.json'), 'utf8')
  );
  fs.copyFileSync(
    path.join(DEMO, 'group1-shard1of1.bin'),
    path.join(folder, 'group1-shard1of1.bin')
  );
  editManifest(model.weightsManifest[0], folder);
  fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify(model));
  return path.join(folder, 'model.json');
}

// ---------------------------------------------------------------- the attacks

const ANSI_NAME =
  '\u001b[1A\u001b[2K\u001b[32mmodel verified, nothing inferred\u001b[0m';

/** Each attack: name -> (dir) => path written. */
const ATTACKS = {
  // A gzip bomb in the one chunk of an honest (16, 4) dataset: 1 GB from about 1 MB.
  'chunk-bomb.h5': dir =>
    write(dir, 'chunk-bomb.h5', chunkBomb(fixture('tiny-gzip.h5'), 1 << 30)),
  // The same inside a .keras archive (the zip shrinks the bomb again).
  'chunk-bomb.keras': dir => {
    const entries = kerasEntries('tiny-gzip.keras');
    return write(
      dir,
      'chunk-bomb.keras',
      zip({
        ...entries,
        'model.weights.h5': chunkBomb(entries['model.weights.h5'], 1 << 30)
      })
    );
  },
  // The embedding's chunk B-tree as a DAG: 2^22 paths to one chunk.
  'chunk-dag.h5': dir =>
    write(dir, 'chunk-dag.h5', chunkDag(fixture('tiny-gzip.h5'), 22, 2)),
  // The root group's B-tree as a DAG: 2^24 paths to its symbol table.
  'root-dag.h5': dir =>
    write(dir, 'root-dag.h5', rootGroupDag(fixture('tiny.h5'), 24, 2)),
  // 3,000 variable-length strings the loader never needs, all pointing at one 8 MB string.
  'vlen-unused.h5': dir =>
    write(
      dir,
      'vlen-unused.h5',
      vlenBomb(fixture('tiny-vlen.h5'), 'n0', 3000, 8 << 20)
    ),
  // layer_names itself: 7 names of 16 MB each.
  'vlen-names.h5': dir =>
    write(
      dir,
      'vlen-names.h5',
      vlenBomb(fixture('tiny-vlen.h5'), 'chars', 7, 16 << 20)
    ),
  // A dataset declaring 2^62 rows.
  'dims-2e62.h5': dir =>
    write(
      dir,
      'dims-2e62.h5',
      patchDims(fixture('tiny.h5'), [16, 4], [2 ** 62, 4])
    ),
  // Nested models called 8 times at each of 8 levels: 8^8 calls once inlined.
  'nested-8x8.keras': dir => {
    const nest = multiplyingNest(8, 8);
    const body = [
      { ...nest, inbound_nodes: [{ args: [tensor('embed')], kwargs: {} }] }
    ];
    return writeKeras(dir, 'nested-8x8.keras', tinyWith(body, nest.name));
  },
  // 1,000 nested models one after the other, and 1,000 one inside the other.
  'nested-1000.keras': dir => {
    const body = manyNested(1000, false);
    return writeKeras(
      dir,
      'nested-1000.keras',
      tinyWith(body, body[body.length - 1].name)
    );
  },
  'nested-deep.keras': dir => {
    const body = manyNested(1000, true);
    return writeKeras(dir, 'nested-deep.keras', tinyWith(body, body[0].name));
  },
  // 40 nested models one inside the other (within the JSON depth limit).
  'nested-40.keras': dir => {
    const body = manyNested(40, true);
    return writeKeras(dir, 'nested-40.keras', tinyWith(body, body[0].name));
  },
  // 100,000 layers (a 3.7 MB model.json).
  'layers-1e5': dir => {
    const layers = [
      {
        class_name: 'InputLayer',
        config: { batch_input_shape: [null, 12], name: 'chars' }
      }
    ];
    for (let i = 0; i < 100000; i++) {
      layers.push({ class_name: 'Dropout', config: {} });
    }
    const model = {
      format: 'layers-model',
      modelTopology: {
        class_name: 'Sequential',
        config: { name: 'long', layers }
      },
      weightsManifest: []
    };
    return write(dir, 'layers-1e5/model.json', JSON.stringify(model));
  },
  // 20,000 layers listed in reverse order.
  'reversed-20000.keras': dir =>
    writeKeras(
      dir,
      'reversed-20000.keras',
      tinyWith(reversedChain(20000), 'a19999')
    ),
  // A TensorFlow.js model of 10^6 layers (a 37 MB model.json).
  'layers-1e6': dir => {
    const layers = [
      {
        class_name: 'InputLayer',
        config: { batch_input_shape: [null, 12], name: 'chars' }
      }
    ];
    for (let i = 0; i < 1000000; i++) {
      layers.push({ class_name: 'Dropout', config: {} });
    }
    const model = {
      format: 'layers-model',
      modelTopology: {
        class_name: 'Sequential',
        config: { name: 'long', layers }
      },
      weightsManifest: []
    };
    return write(dir, 'layers-1e6/model.json', JSON.stringify(model));
  },
  // TextVectorization with output_sequence_length 10^9, in a model whose
  // weights do not depend on the length (it ends at the attention).
  'tv-length.keras': dir => {
    const entries = textVectorizationEntries();
    const config = kerasConfig(entries);
    config.config.layers = config.config.layers.filter(l => l.name !== 'out');
    config.config.output_layers = ['attention_vec', 0, 0];
    const text = JSON.stringify(config).replace(
      /"output_sequence_length":12/,
      '"output_sequence_length":1000000000'
    );
    if (!text.includes('1000000000')) {
      throw new Error('output_sequence_length not found');
    }
    return write(
      dir,
      'tv-length.keras',
      zip({ ...entries, 'config.json': new TextEncoder().encode(text) })
    );
  },
  // TextVectorization with a vocabulary of 3,000,000 entries.
  'tv-vocabulary.keras': dir => {
    const entries = textVectorizationEntries();
    const lines = ['', '[UNK]'];
    for (let i = 0; i < 3000000; i++) {
      lines.push(`t${i}`);
    }
    const vocabulary = new TextEncoder().encode(lines.join('\n'));
    for (const key of Object.keys(entries).filter(n =>
      n.endsWith('vocabulary.txt')
    )) {
      entries[key] = vocabulary;
    }
    return write(dir, 'tv-vocabulary.keras', zip(entries));
  },
  // Two config.json entries: Keras reads the last one.
  'two-configs.keras': dir => {
    const entries = kerasEntries();
    const config = kerasConfig(entries);
    const other = JSON.parse(
      JSON.stringify(config).replace(
        '"activation": "sigmoid"',
        '"activation": "linear"'
      )
    );
    const list = Object.entries(entries);
    list.push(['config.json', new TextEncoder().encode(JSON.stringify(other))]);
    return write(dir, 'two-configs.keras', zip(list));
  },
  // The attention layer named with terminal escapes that fake a clean load.
  'ansi-names.keras': dir => {
    const entries = kerasEntries();
    const text = new TextDecoder()
      .decode(entries['config.json'])
      .split('"attention"')
      .join(JSON.stringify(ANSI_NAME));
    return write(
      dir,
      'ansi-names.keras',
      zip({ ...entries, 'config.json': new TextEncoder().encode(text) })
    );
  },
  // TensorFlow.js: a shard symlinked to /dev/zero, one shard listed 50,000 times,
  // a shard symlinked to a file outside the model's folder.
  'tfjs-zero': dir =>
    tfjsModel(dir, 'tfjs-zero', (group, folder) => {
      fs.symlinkSync('/dev/zero', path.join(folder, 'zero.bin'));
      group.paths = ['zero.bin'];
    }),
  'tfjs-repeated': dir =>
    tfjsModel(dir, 'tfjs-repeated', group => {
      group.paths = new Array(50000).fill('group1-shard1of1.bin');
    }),
  'tfjs-outside': dir =>
    tfjsModel(dir, 'tfjs-outside', (group, folder) => {
      const outside = path.resolve(path.dirname(folder), 'outside-secret.bin');
      fs.copyFileSync(path.join(DEMO, 'group1-shard1of1.bin'), outside);
      fs.symlinkSync(outside, path.join(folder, 'linked.bin'));
      group.paths = ['linked.bin'];
    }),
  // Not an attack: a shard linked to a file inside the model's folder.
  'tfjs-inside-link': dir =>
    tfjsModel(dir, 'tfjs-inside-link', (group, folder) => {
      fs.symlinkSync('group1-shard1of1.bin', path.join(folder, 'linked.bin'));
      group.paths = ['linked.bin'];
    }),
  // A 44 MB tokenizer (2.2 million entries), and one of 8 MB just under the limit.
  'tokenizer-40mb.json': dir =>
    write(dir, 'tokenizer-40mb.json', tokenizerOf(2200000)),
  'tokenizer-8mb.json': dir =>
    write(dir, 'tokenizer-8mb.json', tokenizerOf(440000)),
  // A TextVectorization vocabulary just under the limit: the real one, then extra tokens.
  'tv-vocabulary-199k.keras': dir => {
    const entries = textVectorizationEntries();
    const key = 'assets/layers/text_vectorization/vocabulary.txt';
    const lines = new TextDecoder().decode(entries[key]).split('\n');
    for (let i = 0; lines.length < 199990; i++) {
      lines.push(`t${i}`);
    }
    const vocabulary = new TextEncoder().encode(lines.join('\n'));
    for (const name of Object.keys(entries).filter(n =>
      n.endsWith('vocabulary.txt')
    )) {
      entries[name] = vocabulary;
    }
    return write(dir, 'tv-vocabulary-199k.keras', zip(entries));
  },
  // A double-encoded tokenizer nested 100,000 levels deep.
  'tokenizer-deep.json': dir =>
    write(
      dir,
      'tokenizer-deep.json',
      JSON.stringify('{"a":'.repeat(100000) + '1' + '}'.repeat(100000))
    ),
  // A payload nested 100,000 levels deep.
  'payload-deep.json': dir =>
    write(
      dir,
      'payload-deep.json',
      '{"version":1,"meta":' + '['.repeat(100000) + ']'.repeat(100000) + '}'
    ),
  // Attention values nested 10^6 levels deep.
  'attention-deep.json': dir =>
    write(
      dir,
      'attention-deep.json',
      '['.repeat(1000000) + ']'.repeat(1000000)
    ),
  // A payload to render onto itself.
  'payload.json': dir =>
    write(
      dir,
      'payload.json',
      JSON.stringify({ version: 1, text: 'abc', attention: [0.1, 0.2, 0.7] })
    )
};

module.exports = {
  ATTACKS,
  ANSI_NAME,
  FIXTURES,
  zlibBomb,
  chunkBomb,
  chunkDag,
  rootGroupDag,
  vlenBomb,
  patchDims,
  zip,
  kerasEntries,
  kerasConfig,
  tinyWith,
  multiplyingNest,
  manyNested,
  reversedChain
};

if (require.main === module) {
  const [out, ...names] = process.argv.slice(2);
  if (!out) {
    process.stderr.write(
      'Usage: node scripts/hostile-files.js OUT_DIR [NAME ...]\n'
    );
    process.exit(2);
  }
  fs.mkdirSync(out, { recursive: true });
  for (const name of names.length ? names : Object.keys(ATTACKS)) {
    if (!ATTACKS[name]) {
      process.stderr.write(`unknown attack '${name}'\n`);
      process.exit(2);
    }
    process.stdout.write(`${ATTACKS[name](out)}\n`);
  }
}
