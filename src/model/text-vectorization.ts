/**
 * A Keras 3 `TextVectorization(split="character")` layer at the front of a
 * `.keras` model becomes the model's tokenizer: its vocabulary (the
 * archive's `assets/layers/<layer>/vocabulary.txt`, or the config's
 * `vocabulary` list) and its standardization are read from the file, and the
 * graph then starts at the layer's integer output.
 *
 * Encoding matches Keras 3 exactly (TensorFlow ops): `lower` is
 * `tf.strings.lower` (ASCII letters only), `strip_punctuation` removes
 * ``!"#$%&()*+,-./:;<=>?@[\]^_`{|}~'``, the text is split into Unicode code
 * points, unknown characters become the OOV index 1, index 0 is padding;
 * `output_sequence_length` pads and truncates at the end.
 *
 * Pure: no DOM, no Node APIs.
 */
import { unzipSync } from 'fflate';
import { IModelSpec } from './keras';
import { toSnakeCase } from './hdf5';
import {
  codePoints,
  IPaddedText,
  IResolvedPadOptions,
  paddedPosition,
  resolvePadOptions
} from './tokenizer';
import { ModelError } from './types';

/** What the model's TextVectorization layer does, as plain data. */
export interface ITextVectorizationInfo {
  kind: 'TextVectorization';
  /** The layer's name. */
  layer: string;
  /** Token by index: 0 is the padding token '', 1 the OOV token '[UNK]'. */
  vocabulary: string[];
  standardize:
    'lower_and_strip_punctuation' | 'lower' | 'strip_punctuation' | null;
  /** Fixed output length, or null (padded to the longest text of a batch). */
  outputSequenceLength: number | null;
}

/** Keras 3's DEFAULT_STRIP_REGEX as a set of characters. */
export const STRIP_CHARACTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\'';

/**
 * If the model's first layer after its input is a TextVectorization,
 * returns its description and the spec with that layer turned into the
 * (integer) model input; otherwise null.
 */
export function splitTextVectorization(
  spec: IModelSpec,
  archive: Uint8Array,
  fileName: string
): { info: ITextVectorizationInfo; spec: IModelSpec } | null {
  const tvIndex = spec.layers.findIndex(
    l => l.className === 'TextVectorization'
  );
  if (tvIndex < 0) {
    return null;
  }
  const tv = spec.layers[tvIndex];
  const where = `${fileName}: layer '${tv.name}' (TextVectorization)`;
  const fail = (reason: string) =>
    new ModelError(`${where}: ${reason}`, {
      file: fileName,
      layer: tv.name,
      className: 'TextVectorization'
    });
  const inputRefs = tv.inbound[0] ?? [];
  const input = spec.layers.find(l => l.name === inputRefs[0]?.layer);
  if (
    tv.inbound.length !== 1 ||
    inputRefs.length !== 1 ||
    input?.className !== 'InputLayer' ||
    spec.inputs.length !== 1 ||
    spec.inputs[0].layer !== input.name
  ) {
    throw fail(
      'only a TextVectorization applied directly to the model input is supported'
    );
  }
  if (
    spec.layers.some(
      l => l !== tv && l.inbound.some(n => n.some(r => r.layer === input.name))
    )
  ) {
    throw fail('the text input also feeds other layers');
  }
  const c = tv.config;
  if (c.split !== 'character') {
    throw fail(
      `split ${JSON.stringify(c.split)} is not supported (only "character")`
    );
  }
  if ((c.output_mode ?? 'int') !== 'int') {
    throw fail(
      `output_mode ${JSON.stringify(c.output_mode)} is not supported (only "int")`
    );
  }
  if (c.ngrams !== null && c.ngrams !== undefined) {
    throw fail('ngrams are not supported');
  }
  const standardize = c.standardize ?? null;
  if (
    standardize !== null &&
    !['lower_and_strip_punctuation', 'lower', 'strip_punctuation'].includes(
      standardize
    )
  ) {
    throw fail(
      `standardize ${JSON.stringify(standardize)} is not supported (a custom function cannot run here)`
    );
  }
  const vocabulary = Private.vocabulary(spec, tvIndex, archive, fail);
  if (vocabulary[0] !== '' || vocabulary[1] !== '[UNK]') {
    throw fail(
      `the vocabulary should start with the padding token '' and the OOV token '[UNK]', it starts with ${JSON.stringify(vocabulary.slice(0, 2))}`
    );
  }
  const length =
    typeof c.output_sequence_length === 'number'
      ? c.output_sequence_length
      : null;
  const info: ITextVectorizationInfo = {
    kind: 'TextVectorization',
    layer: tv.name,
    vocabulary,
    standardize,
    outputSequenceLength: length
  };
  // The layer's integer output becomes the model input.
  const layers = spec.layers
    .filter(l => l !== input)
    .map(l =>
      l === tv
        ? {
            name: tv.name,
            className: 'InputLayer',
            config: { name: tv.name, batch_shape: [null, length] },
            inbound: []
          }
        : l
    );
  return {
    info,
    spec: {
      ...spec,
      layers,
      inputs: [{ layer: tv.name, node: 0, tensor: 0 }],
      inputShapes: { [tv.name]: [length] }
    }
  };
}

/** Encodes texts as the TextVectorization layer does, keeping each character's model position. */
export function encodeTextVectorization(
  info: ITextVectorizationInfo,
  texts: string[]
): { items: IPaddedText[]; options: IResolvedPadOptions } {
  const index = new Map<string, number>();
  info.vocabulary.forEach((token, i) => {
    if (i > 0 && !index.has(token)) {
      index.set(token, i);
    }
  });
  const lower =
    info.standardize === 'lower' ||
    info.standardize === 'lower_and_strip_punctuation';
  const strip =
    info.standardize === 'strip_punctuation' ||
    info.standardize === 'lower_and_strip_punctuation';
  const encoded = texts.map(text => {
    const chars = codePoints(text);
    const pieces: string[][] = [];
    const sequence: number[] = [];
    const origin: number[] = [];
    const unknownChars: number[] = [];
    chars.forEach((ch, i) => {
      // tf.strings.lower changes ASCII letters only.
      const c = lower && ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch;
      if (strip && STRIP_CHARACTERS.includes(c)) {
        pieces.push([]);
        return;
      }
      pieces.push([c]);
      const id = index.get(c);
      if (id === undefined) {
        unknownChars.push(i);
      }
      sequence.push(id ?? 1);
      origin.push(i);
    });
    return {
      text,
      chars,
      pieces,
      sequence,
      origin,
      unknownChars,
      droppedCount: 0
    };
  });
  const options = resolvePadOptions(
    encoded.map(e => e.sequence.length),
    {
      maxlen: info.outputSequenceLength,
      padding: 'post',
      truncating: 'post'
    }
  );
  const items = encoded.map(item => {
    const positions = item.sequence.map((_, j) =>
      paddedPosition(j, item.sequence.length, options)
    );
    const padded = new Array<number>(options.maxlen).fill(0);
    positions.forEach((p, j) => {
      if (p >= 0) {
        padded[p] = item.sequence[j];
      }
    });
    return {
      ...item,
      padded,
      positions,
      truncatedCount: positions.filter(p => p < 0).length
    };
  });
  return { items, options };
}

namespace Private {
  export function vocabulary(
    spec: IModelSpec,
    tvIndex: number,
    archive: Uint8Array,
    fail: (reason: string) => ModelError
  ): string[] {
    const tv = spec.layers[tvIndex];
    if (Array.isArray(tv.config.vocabulary)) {
      return tv.config.vocabulary.map(String);
    }
    if (typeof tv.config.vocabulary === 'string') {
      throw fail('the vocabulary is a file path outside the archive');
    }
    // Keras 3 saves assets under the layer's path: snake_case class name, numbered.
    let n = 0;
    for (const l of spec.layers.slice(0, tvIndex)) {
      if (l.className === 'TextVectorization') {
        n++;
      }
    }
    const key = `${toSnakeCase('TextVectorization')}${n ? `_${n}` : ''}`;
    const path = `assets/layers/${key}/vocabulary.txt`;
    let entries: { [name: string]: Uint8Array };
    try {
      entries = unzipSync(archive, { filter: f => f.name === path });
    } catch (e) {
      throw fail(`the archive could not be read (${(e as Error).message})`);
    }
    const bytes = entries[path];
    if (!bytes) {
      throw fail(`the archive has no ${path}`);
    }
    return new TextDecoder().decode(bytes).split('\n');
  }
}
