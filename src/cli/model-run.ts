/**
 * What the model-running commands (`predict`, `explain`) share: their
 * options, choosing the tokenizer and encoding the texts as Keras does
 * once the model has loaded, and writing the payload as JSON or standalone HTML.
 */
import * as fs from 'fs';
import * as path from 'path';
import { WorkerRequestError } from '../workers/client';
import { encodeTextVectorization } from '../text/text-vectorization';
import {
  encodeTexts,
  ICharTokenizer,
  IPaddedText,
  IPadOptions,
  IResolvedPadOptions,
  TokenizerError
} from '../text/tokenizer';
import { ILoadOptions, IModelInfo, ModelError } from '../model/types';
import { IBatchPayload } from '../payload/types';
import { exportPayloadHtml } from '../table/html';
import {
  IOptionSpec,
  IParsedArgs,
  loadTokenizer,
  maxLength,
  optionValue,
  TEXT_OPTIONS,
  UsageError,
  writeNotices,
  writeStdout
} from './encode';
import { terminalJson, terminalSafe } from './terminal';

/** Options of every command that runs a model. */
export const MODEL_OPTIONS: IOptionSpec = {
  ...TEXT_OPTIONS,
  '--model': { value: true },
  '--config': { value: true },
  '--layer': { value: true },
  '--lambda': { value: true, repeat: true },
  '--json': { value: false },
  '--output': { value: true, alias: '-o' },
  '--workers': { value: true },
  '--max-layers': { value: true },
  '--max-nesting': { value: true }
};

/** Texts to padded sequences for one loaded model. */
export type TextEncoder = (texts: string[]) => {
  items: IPaddedText[];
  options: IResolvedPadOptions;
};

/**
 * After the model has loaded: prints what the loader inferred, fixes the
 * sequence length to the model's, and picks the tokenizer (the model's own
 * TextVectorization layer unless --tokenizer is given, else --tokenizer or
 * tokenizer.json next to the model). The encoder checks the vocabulary.
 */
export function textEncoder(
  info: IModelInfo,
  parsed: IParsedArgs,
  modelPath: string,
  command: string,
  pad: IPadOptions
): TextEncoder {
  // What the loader inferred is never silent.
  writeNotices(
    command,
    (info.inferences ?? []).map((i: string) => `inferred: ${i}`)
  );
  if (info.inputLength !== null) {
    if (pad.maxlen !== undefined && pad.maxlen !== info.inputLength) {
      throw new UsageError(
        `--maxlen ${pad.maxlen} does not match the model's input length ${info.inputLength}`
      );
    }
    pad.maxlen = info.inputLength;
  }
  const check = (encoded: ReturnType<TextEncoder>) => {
    Private.checkVocabulary(
      encoded.items.map(i => i.padded),
      info.vocabularySize
    );
    return encoded;
  };
  // A model with its own TextVectorization layer needs no tokenizer file.
  const own =
    info.tokenizer && !parsed.options['--tokenizer'] ? info.tokenizer : null;
  if (!own) {
    const tokenizer = Private.tokenizerFor(parsed, modelPath, command);
    return texts => check(encodeTexts(tokenizer, texts, pad));
  }
  for (const side of ['padding', 'truncating'] as const) {
    if (pad[side] !== undefined && pad[side] !== 'post') {
      throw new UsageError(
        `--${side} ${pad[side]}: the model's TextVectorization layer '${own.layer}' pads and truncates at the end (post)`
      );
    }
  }
  process.stderr.write(
    `char-attention ${command}: using the model's TextVectorization layer '${terminalSafe(own.layer)}' as the tokenizer\n`
  );
  return texts => check(encodeTextVectorization(own, texts));
}

/** Prints the payload JSON, or writes the standalone HTML to `run.output`. */
export async function writePayload(
  payload: IBatchPayload,
  run: { output?: string; mainFile: string },
  command: string,
  heading: string
): Promise<void> {
  if (run.output === undefined) {
    await writeStdout(terminalJson(JSON.stringify(payload)) + '\n');
    return;
  }
  const exported = exportPayloadHtml(payload, {
    documentTitle: `${heading}: ${path.basename(run.mainFile)}`
  });
  if (!exported.ok) {
    throw new Error(
      `the payload is not valid: ${exported.problems.map(p => `${p.path}: ${p.message}`).join('; ')}`
    );
  }
  try {
    fs.writeFileSync(run.output, exported.html);
  } catch (error) {
    const code =
      (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot write '${run.output}': ${code}`);
  }
  process.stderr.write(
    `char-attention ${command}: wrote ${terminalSafe(run.output)}\n`
  );
}

/** Model errors name the file / layer; keep the message one line. */
export function describeModelError(error: unknown): unknown {
  if (
    (error instanceof ModelError || error instanceof WorkerRequestError) &&
    error.where
  ) {
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

namespace Private {
  export function loadOptions(parsed: IParsedArgs): ILoadOptions {
    const options: ILoadOptions = {
      maxInputLength: maxLength(parsed),
      maxLayers: positiveOption(parsed, '--max-layers'),
      maxNestingDepth: positiveOption(parsed, '--max-nesting')
    };
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

  /** A positive integer option, or undefined when not given. */
  export function positiveOption(
    parsed: IParsedArgs,
    name: string
  ): number | undefined {
    const raw = optionValue(parsed, name);
    if (raw === undefined) {
      return undefined;
    }
    const value = Number(raw);
    if (!/^\s*\d+\s*$/.test(raw) || value < 1 || !Number.isSafeInteger(value)) {
      throw new UsageError(`${name} must be a positive integer, got '${raw}'`);
    }
    return value;
  }

  /** --tokenizer, else tokenizer.json next to the model. */
  export function tokenizerFor(
    parsed: IParsedArgs,
    modelPath: string,
    command: string
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
    process.stderr.write(
      `char-attention ${command}: using tokenizer ${terminalSafe(nearby)}\n`
    );
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
}

/** The option and vocabulary checks, for the commands that run the model in worker threads. */
export const modelRunChecks = {
  loadOptions: Private.loadOptions
};
