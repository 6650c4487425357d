/**
 * A Keras 3 `TextVectorization(split="character")` layer at the front of a
 * `.keras` model is split off the graph and becomes the model's tokenizer:
 * its vocabulary (the archive's `assets/layers/<layer>/vocabulary.txt`, or
 * the config's `vocabulary` list) and standardization are read here; the
 * encoding itself is `text/text-vectorization.ts`. Pure.
 */
import { IGraphLayerSpec, IModelSpec } from './keras-config';
import { toSnakeCase } from '../files/keras3-weights';
import { ZipArchive } from '../files/zip';
import { FILE_LIMITS, formatCount } from '../limits';
import { ITextVectorizationInfo } from '../../text/text-vectorization';
import { ModelError } from '../types';

/** The input length limit the layer's output length must respect, and how to raise it. */
export interface ITextVectorizationLimits {
  maxInputLength: number;
  hint: string;
}

/**
 * If the model's first layer after its input is a TextVectorization,
 * returns its description and the spec with that layer turned into the
 * (integer) model input; otherwise null.
 */
export function splitTextVectorization(
  spec: IModelSpec,
  archive: Uint8Array,
  fileName: string,
  limits: ITextVectorizationLimits
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
  const input = Private.textInput(spec, tv, fail);
  const { standardize, length } = Private.readConfig(tv.config, limits, fail);
  const vocabulary = Private.vocabulary(spec, tvIndex, archive, fileName, fail);
  if (vocabulary[0] !== '' || vocabulary[1] !== '[UNK]') {
    throw fail(
      `the vocabulary should start with the padding token '' and the OOV token '[UNK]', it starts with ${JSON.stringify(vocabulary.slice(0, 2))}`
    );
  }
  const info: ITextVectorizationInfo = {
    kind: 'TextVectorization',
    layer: tv.name,
    vocabulary,
    standardize,
    outputSequenceLength: length
  };
  return { info, spec: Private.withIntegerInput(spec, tv, input, length) };
}

namespace Private {
  type Fail = (reason: string) => ModelError;

  /** The model's one InputLayer, when it feeds the TextVectorization alone. */
  export function textInput(
    spec: IModelSpec,
    tv: IGraphLayerSpec,
    fail: Fail
  ): IGraphLayerSpec {
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
        l =>
          l !== tv && l.inbound.some(n => n.some(r => r.layer === input.name))
      )
    ) {
      throw fail('the text input also feeds other layers');
    }
    return input;
  }

  /** The settings this reading supports: character split, int output, a built-in standardization. */
  export function readConfig(
    c: { [key: string]: any },
    limits: ITextVectorizationLimits,
    fail: Fail
  ): {
    standardize: ITextVectorizationInfo['standardize'];
    length: number | null;
  } {
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
    const length =
      typeof c.output_sequence_length === 'number'
        ? c.output_sequence_length
        : null;
    if (length !== null && length > limits.maxInputLength) {
      throw fail(
        `output_sequence_length is ${formatCount(length)}; at most ${formatCount(limits.maxInputLength)} ` +
          `input steps are allowed (${limits.hint})`
      );
    }
    return { standardize, length };
  }

  /** The spec with the layer's integer output as the model input. */
  export function withIntegerInput(
    spec: IModelSpec,
    tv: IGraphLayerSpec,
    input: IGraphLayerSpec,
    length: number | null
  ): IModelSpec {
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
      ...spec,
      layers,
      inputs: [{ layer: tv.name, node: 0, tensor: 0 }],
      inputShapes: { [tv.name]: [length] }
    };
  }

  const MAX = FILE_LIMITS.VOCABULARY_ENTRIES;

  export function tooLarge(
    count: string,
    fail: (reason: string) => ModelError
  ): ModelError {
    return fail(
      `its vocabulary has ${count} entries; at most ${formatCount(MAX)} are read (more than Unicode ` +
        'has characters: a character vocabulary cannot be this large)'
    );
  }

  export function vocabulary(
    spec: IModelSpec,
    tvIndex: number,
    archive: Uint8Array,
    fileName: string,
    fail: (reason: string) => ModelError
  ): string[] {
    const tv = spec.layers[tvIndex];
    if (Array.isArray(tv.config.vocabulary)) {
      if (tv.config.vocabulary.length > MAX) {
        throw tooLarge(formatCount(tv.config.vocabulary.length), fail);
      }
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
    const zip = new ZipArchive(archive, fileName);
    if (!zip.has(path)) {
      throw fail(`the archive has no ${path}`);
    }
    const bytes = zip.read(path, {
      maxBytes: FILE_LIMITS.ARCHIVE_JSON_BYTES,
      maxRatio: FILE_LIMITS.ARCHIVE_EXPANSION,
      slack: FILE_LIMITS.ARCHIVE_SLACK_BYTES
    });
    // Count the lines before splitting them into strings.
    let lines = 1;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0x0a && ++lines > MAX) {
        throw tooLarge(`more than ${formatCount(MAX)}`, fail);
      }
    }
    return new TextDecoder().decode(bytes).split('\n');
  }
}
