/**
 * What the model-running commands (`predict`, `explain`) share: their
 * options, loading the model and the tokenizer, encoding the texts as Keras
 * does, and writing the payload as JSON or standalone HTML.
 */
import * as fs from 'fs';
import * as path from 'path';
import { WorkerRequestError } from '../lab/worker-client';
import { alignmentNotices } from '../model/align';
import { ILoadedModel, loadModel } from '../model/engine';
import { readModelFiles } from '../model/files-node';
import {
  encodeTexts,
  ICharTokenizer,
  IPaddedText,
  IResolvedPadOptions,
  TokenizerError
} from '../model/tokenizer';
import { ILoadOptions, ModelError } from '../model/types';
import { IBatchPayload } from '../payload/types';
import { exportPayloadHtml } from '../table/html';
import {
  collectTexts,
  IOptionSpec,
  IParsedArgs,
  loadTokenizer,
  optionValue,
  padOptions,
  TEXT_OPTIONS,
  UsageError,
  writeNotices,
  writeStdout
} from './encode';

/** Options of every command that runs a model. */
export const MODEL_OPTIONS: IOptionSpec = {
  ...TEXT_OPTIONS,
  '--model': { value: true },
  '--config': { value: true },
  '--layer': { value: true },
  '--lambda': { value: true, repeat: true },
  '--json': { value: false },
  '--output': { value: true, alias: '-o' },
  '--workers': { value: true }
};

/** A loaded model with the texts encoded for it. */
export interface IModelRun {
  model: ILoadedModel;
  /** The model file named in messages and titles. */
  mainFile: string;
  items: IPaddedText[];
  options: IResolvedPadOptions;
  /** `-o` target, when HTML is wanted. */
  output?: string;
}

/**
 * Checks the command line, loads the tokenizer and the model, encodes the
 * texts (pad_sequences semantics, the model's input length) and prints the
 * alignment notices. The caller disposes `model`.
 */
export async function openModelRun(
  parsed: IParsedArgs,
  command: string
): Promise<IModelRun> {
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
  const tokenizer = Private.tokenizerFor(parsed, modelPath, command);
  const source = readModelFiles(modelPath, optionValue(parsed, '--config'));
  const model = await loadModel(source.files, loadOptions);
  try {
    const info = model.info;
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
    writeNotices(command, alignmentNotices(items, options));
    return { model, mainFile: source.mainFile, items, options, output };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Prints the payload JSON, or writes the standalone HTML to `run.output`. */
export async function writePayload(
  payload: IBatchPayload,
  run: Pick<IModelRun, 'output' | 'mainFile'>,
  command: string,
  heading: string
): Promise<void> {
  if (run.output === undefined) {
    await writeStdout(JSON.stringify(payload) + '\n');
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
  process.stderr.write(`char-attention ${command}: wrote ${run.output}\n`);
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
    const options: ILoadOptions = {};
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
      `char-attention ${command}: using tokenizer ${nearby}\n`
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
  loadOptions: Private.loadOptions,
  tokenizerFor: Private.tokenizerFor,
  checkVocabulary: Private.checkVocabulary
};
