/**
 * `char-attention predict`: run a Keras / TensorFlow.js model on texts and
 * print the payload v1 JSON (prediction + attention aligned to the
 * characters), or write the standalone HTML export with `-o`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { alignmentNotices, alignSample } from '../model/align';
import { loadModel } from '../model/engine';
import { readModelFiles } from '../model/files-node';
import {
  encodeTexts,
  ICharTokenizer,
  TokenizerError
} from '../model/tokenizer';
import { IAttentionModel, ILoadOptions, ModelError } from '../model/types';
import { IBatchPayload } from '../payload/types';
import { LIMITS } from '../payload/validate';
import { exportPayloadHtml } from '../table/html';
import {
  collectTexts,
  IParsedArgs,
  loadTokenizer,
  maxLength,
  optionValue,
  padOptions,
  parseArgs,
  reportError,
  TEXT_OPTIONS,
  UsageError,
  writeNotices,
  writeStdout
} from './encode';

export const PREDICT_USAGE = `Usage: char-attention predict --model PATH [--config JSON] [--tokenizer JSON]
         [--layer NAME] [--maxlen N] [--padding pre|post] [--truncating pre|post]
         [--max-length N]
         [--lambda NAME=EXPR]... [--json | -o OUT.html] [--file F]... TEXT...

Run a Keras or TensorFlow.js model on each text and print the payload v1 JSON
(a batch: per text its prediction and the attention over its characters), or
write the standalone HTML table with -o.

  --model PATH         Keras .h5/.hdf5 (full model, or weights with --config), Keras 3
                       .keras, TensorFlow.js model.json, or a folder holding one
  --config JSON        model.to_json() file for a weights-only .h5
  --tokenizer JSON     Tokenizer.to_json() output or a plain {"char": index} map
                       (default: tokenizer.json next to the model)
  --layer NAME         attention layer (default: found automatically, e.g. a softmax
                       over the time axis)
  --maxlen N           sequence length (default: the model's input length)
  --padding pre|post   default pre, as Keras pad_sequences
  --truncating pre|post default pre
  --max-length N       refuse a model declaring (or a --maxlen of) more than N input
                       steps, before anything is allocated (default 100000)
  --lambda NAME=EXPR   meaning of a Lambda layer, e.g. lambda_1='sum(axis=1)'; repeatable
  --lower              lowercase texts first (plain maps only)
  --json               print the payload JSON (the default)
  -o, --output FILE    write the standalone HTML export to FILE instead
  --file F             read texts from F, one per line ('-' = stdin); repeatable
  -h, --help           show this help

Notices (texts longer than maxlen, characters missing from the vocabulary,
empty texts) go to stderr, one line each. Exit code 1 when the model or a file
cannot be read, 2 for a command-line mistake.
`;

const PREDICT_OPTIONS = {
  ...TEXT_OPTIONS,
  '--model': { value: true },
  '--config': { value: true },
  '--layer': { value: true },
  '--lambda': { value: true, repeat: true },
  '--json': { value: false },
  '--output': { value: true, alias: '-o' }
};

export async function predictCommand(args: string[]): Promise<number> {
  let model: IAttentionModel | null = null;
  try {
    const parsed = parseArgs(args, PREDICT_OPTIONS);
    if (parsed.flags.has('--help')) {
      await writeStdout(PREDICT_USAGE);
      return 0;
    }
    const modelPath = optionValue(parsed, '--model');
    if (modelPath === undefined) {
      throw new UsageError('--model is required');
    }
    const output = optionValue(parsed, '--output');
    if (output !== undefined && parsed.flags.has('--json')) {
      throw new UsageError('--json and -o/--output exclude each other');
    }
    const loadOptions = Private.loadOptions(parsed);
    const pad = padOptions(parsed);
    const texts = collectTexts(parsed);
    if (!texts.length) {
      throw new UsageError('no texts given (pass TEXT arguments or --file F)');
    }
    if (texts.length > LIMITS.MAX_SAMPLES) {
      // Refused before the model runs: the payload could not be shown anyway.
      const files = (parsed.options['--file'] ?? []).join(', ');
      throw new Error(
        `${texts.length} texts${files ? ` (from ${files})` : ''}; a payload holds at most ` +
          `${LIMITS.MAX_SAMPLES} samples: split the input into parts`
      );
    }
    const tokenizer = Private.tokenizerFor(parsed, modelPath);

    const source = readModelFiles(modelPath, optionValue(parsed, '--config'));
    model = await loadModel(source.files, loadOptions);
    const info = model.info;
    // What the loader inferred is never silent.
    writeNotices('predict', info.inferences ?? []);
    if (info.inputLength !== null) {
      if (pad.maxlen !== undefined && pad.maxlen !== info.inputLength) {
        throw new UsageError(
          `--maxlen ${pad.maxlen} does not match the model's input length ${info.inputLength}`
        );
      }
      pad.maxlen = info.inputLength;
    }
    const { items, options } = encodeTexts(tokenizer, texts, pad);
    Private.checkVocabulary(
      items.map(i => i.padded),
      info.vocabularySize
    );
    writeNotices('predict', alignmentNotices(items, options));

    const result = await model.predict(items.map(item => item.padded));
    const meta = {
      model: path.basename(source.mainFile),
      format: info.format,
      attentionLayer: info.attentionLayer,
      attentionChosenBy: info.attentionChosenBy,
      ...(info.kerasVersion ? { kerasVersion: info.kerasVersion } : {})
    };
    const payload: IBatchPayload = {
      version: 1,
      samples: items.map((item, i) => {
        const attention = result.attention[i];
        if (!attention || attention.length !== options.maxlen) {
          throw new ModelError(
            `layer '${info.attentionLayer}' gave ${attention ? attention.length : 0} attention values ` +
              `for text ${i + 1}, expected ${options.maxlen} (one per model position)`,
            { layer: info.attentionLayer }
          );
        }
        return {
          ...alignSample(
            item,
            attention,
            options.maxlen,
            result.predictions[i]
          ),
          meta
        };
      })
    };

    if (output !== undefined) {
      const exported = exportPayloadHtml(payload, {
        documentTitle: `Character attention: ${path.basename(source.mainFile)}`
      });
      if (!exported.ok) {
        throw new Error(
          `the payload is not valid: ${exported.problems.map(p => `${p.path}: ${p.message}`).join('; ')}`
        );
      }
      Private.writeOutput(output, exported.html);
      process.stderr.write(`char-attention predict: wrote ${output}\n`);
    } else {
      await writeStdout(JSON.stringify(payload) + '\n');
    }
    return 0;
  } catch (error) {
    return reportError('predict', Private.explain(error), PREDICT_USAGE);
  } finally {
    model?.dispose();
  }
}

namespace Private {
  export function loadOptions(parsed: IParsedArgs): ILoadOptions {
    const options: ILoadOptions = { maxInputLength: maxLength(parsed) };
    const layer = optionValue(parsed, '--layer');
    if (layer !== undefined) {
      options.attentionLayer = layer;
    }
    for (const entry of parsed.options['--lambda'] ?? []) {
      const eq = entry.indexOf('=');
      if (eq <= 0 || eq === entry.length - 1) {
        throw new UsageError(
          `--lambda expects NAME=EXPR (e.g. lambda_1='sum(axis=1)'), got '${entry}'`
        );
      }
      options.lambdas = {
        ...options.lambdas,
        [entry.slice(0, eq).trim()]: entry.slice(eq + 1).trim()
      };
    }
    return options;
  }

  /** --tokenizer, else tokenizer.json next to the model. */
  export function tokenizerFor(
    parsed: IParsedArgs,
    modelPath: string
  ): ICharTokenizer {
    const given = loadTokenizer(parsed, false);
    if (given) {
      return given;
    }
    let folder = modelPath;
    try {
      folder = fs.statSync(modelPath).isDirectory()
        ? modelPath
        : path.dirname(modelPath);
    } catch {
      folder = path.dirname(modelPath);
    }
    const nearby = path.join(folder, 'tokenizer.json');
    if (!fs.existsSync(nearby)) {
      throw new UsageError(
        `--tokenizer is required (no tokenizer.json next to the model)`
      );
    }
    process.stderr.write(`char-attention predict: using tokenizer ${nearby}\n`);
    return loadTokenizer({
      ...parsed,
      options: { ...parsed.options, '--tokenizer': [nearby] }
    })!;
  }

  /** An index past the Embedding's input_dim means the tokenizer does not fit the model. */
  export function checkVocabulary(
    sequences: number[][],
    vocabularySize?: number
  ): void {
    if (!vocabularySize) {
      return;
    }
    let largest = 0;
    for (const sequence of sequences) {
      for (const index of sequence) {
        largest = Math.max(largest, index);
      }
    }
    if (largest >= vocabularySize) {
      throw new TokenizerError(
        `the tokenizer gives index ${largest}, but the model's Embedding has input_dim ${vocabularySize}: ` +
          'is this the tokenizer the model was trained with?'
      );
    }
  }

  export function writeOutput(file: string, html: string): void {
    try {
      fs.writeFileSync(file, html);
    } catch (error) {
      const code =
        (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new Error(`cannot write '${file}': ${code}`);
    }
  }

  /** Model errors name the file / layer; keep the message one line. */
  export function explain(error: unknown): unknown {
    if (error instanceof ModelError && error.where) {
      const { file, layer, className } = error.where;
      const where = [
        file && !error.message.includes(file) ? `file ${file}` : '',
        layer && !error.message.includes(layer)
          ? `layer ${layer}${className ? ` (${className})` : ''}`
          : ''
      ]
        .filter(Boolean)
        .join(', ');
      return new Error(where ? `${error.message} [${where}]` : error.message);
    }
    return error;
  }
}
