/**
 * `char-attention predict`: run a Keras / TensorFlow.js model on texts and
 * print the payload v1 JSON (prediction + attention aligned to the
 * characters), or write the standalone HTML export with `-o`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { WorkerRequestError } from '../lab/worker-client';
import { WorkerPool } from '../lab/worker-pool';
import { alignmentNotices, alignSample } from '../model/align';
import { readModelFiles } from '../model/files-node';
import {
  encodeTexts,
  ICharTokenizer,
  IPadOptions,
  IPaddedText,
  IResolvedPadOptions,
  TokenizerError
} from '../model/tokenizer';
import {
  IForwardResult,
  ILoadOptions,
  IModelInfo,
  ModelError
} from '../model/types';
import { IBatchPayload, ISample } from '../payload/types';
import { exportPayloadHtml } from '../table/html';
import {
  IParsedArgs,
  loadTokenizer,
  optionValue,
  padOptions,
  parseArgs,
  reportError,
  TEXT_OPTIONS,
  UsageError,
  writeNotices,
  writeStdout
} from './encode';
import {
  ProgressLine,
  renumberNotices,
  runOrdered,
  STREAM_CHUNK,
  streamTexts,
  workersOption
} from './stream';
import { spawnThreadWorker } from './thread-worker';

export const PREDICT_USAGE = `Usage: char-attention predict --model PATH [--config JSON] [--tokenizer JSON]
         [--layer NAME] [--maxlen N] [--padding pre|post] [--truncating pre|post]
         [--lambda NAME=EXPR]... [--json | -o OUT.html] [--workers N]
         [--file F]... TEXT...

Run a Keras or TensorFlow.js model on each text and print the payload v1 JSON
(a batch: per text its prediction and the attention over its characters), or
write the standalone HTML table with -o.

With --file the input is streamed: one JSON payload per line (JSONL, one text
each, in input order) on stdout, or the HTML table (one colour scale per
text) with -o; memory stays bounded however long the file. A progress line
goes to stderr when stderr is a terminal.

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
  --lambda NAME=EXPR   meaning of a Lambda layer, e.g. lambda_1='sum(axis=1)'; repeatable
  --lower              lowercase texts first (plain maps only)
  --json               print the payload JSON (the default)
  -o, --output FILE    write the standalone HTML export to FILE instead
  --file F             read texts from F, one per line ('-' = stdin); repeatable
  --workers N          worker threads running the model (default: the number of CPU
                       cores; small inputs use one)
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
  '--output': { value: true, alias: '-o' },
  '--workers': { value: true }
};

export async function predictCommand(args: string[]): Promise<number> {
  let pool: WorkerPool | null = null;
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
    const workers = workersOption(optionValue(parsed, '--workers'));
    const loadOptions = Private.loadOptions(parsed);
    const pad = padOptions(parsed);
    const files = parsed.options['--file'] ?? [];
    if (!files.length && !parsed.positional.length) {
      throw new UsageError('no texts given (pass TEXT arguments or --file F)');
    }
    const tokenizer = Private.tokenizerFor(parsed, modelPath);

    const source = readModelFiles(modelPath, optionValue(parsed, '--config'));
    pool = new WorkerPool({
      spawn: () => spawnThreadWorker(),
      size: workers,
      idleMs: 0
    });
    const info = await pool.load(source.files, loadOptions);
    if (info.inputLength !== null) {
      if (pad.maxlen !== undefined && pad.maxlen !== info.inputLength) {
        throw new UsageError(
          `--maxlen ${pad.maxlen} does not match the model's input length ${info.inputLength}`
        );
      }
      pad.maxlen = info.inputLength;
    }
    const meta = {
      model: path.basename(source.mainFile),
      format: info.format,
      attentionLayer: info.attentionLayer,
      attentionChosenBy: info.attentionChosenBy,
      ...(info.kerasVersion ? { kerasVersion: info.kerasVersion } : {})
    };
    const title = `Character attention: ${path.basename(source.mainFile)}`;
    if (files.length) {
      await Private.stream(parsed, files, {
        pool,
        workers,
        tokenizer,
        pad,
        info,
        meta,
        output,
        title
      });
      return 0;
    }

    const texts = parsed.positional;
    const { items, options } = encodeTexts(tokenizer, texts, pad);
    Private.checkVocabulary(
      items.map(i => i.padded),
      info.vocabularySize
    );
    writeNotices('predict', alignmentNotices(items, options));
    const result = await pool.predict(items.map(item => item.padded));
    const payload: IBatchPayload = {
      version: 1,
      samples: Private.samples(items, options, result, info, meta)
    };

    if (output !== undefined) {
      const exported = exportPayloadHtml(payload, { documentTitle: title });
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
    pool?.dispose();
  }
}

namespace Private {
  /** Payload samples of a batch, one per text, with the model's meta. */
  export function samples(
    items: IPaddedText[],
    options: IResolvedPadOptions,
    result: IForwardResult,
    info: IModelInfo,
    meta: ISample['meta']
  ): ISample[] {
    return items.map((item, i) => {
      const attention = result.attention[i];
      if (!attention || attention.length !== options.maxlen) {
        throw new ModelError(
          `layer '${info.attentionLayer}' gave ${attention ? attention.length : 0} attention values ` +
            `for text ${i + 1}, expected ${options.maxlen} (one per model position)`,
          { layer: info.attentionLayer }
        );
      }
      return {
        ...alignSample(item, attention, options.maxlen, result.predictions[i]),
        meta
      };
    });
  }

  export interface IStreamContext {
    pool: WorkerPool;
    workers: number;
    tokenizer: ICharTokenizer;
    pad: IPadOptions;
    info: IModelInfo;
    meta: ISample['meta'];
    output: string | undefined;
    title: string;
  }

  /** --file: texts streamed through the pool, results written in input order. */
  export async function stream(
    parsed: IParsedArgs,
    files: string[],
    context: IStreamContext
  ): Promise<void> {
    const { pool, tokenizer, pad, info, meta, output } = context;
    const progress = new ProgressLine('char-attention predict');
    const html =
      output === undefined ? null : new HtmlStream(output, context.title);
    let done = 0;
    const count = await runOrdered(
      streamTexts(parsed.positional, files),
      // Enough chunks to keep every worker busy, few enough to bound memory.
      { chunk: STREAM_CHUNK, window: 2 * context.workers },
      async texts => {
        const { items, options } = encodeTexts(tokenizer, texts, pad);
        checkVocabulary(
          items.map(i => i.padded),
          info.vocabularySize
        );
        const result = await pool.predict(items.map(item => item.padded));
        return { items, options, result };
      },
      async ({ items, options, result }, texts, first) => {
        progress.end();
        writeNotices(
          'predict',
          renumberNotices(alignmentNotices(items, options), first)
        );
        const chunk = samples(items, options, result, info, meta);
        if (html) {
          await html.write(chunk);
        } else {
          await writeStdout(
            chunk
              .map(sample => JSON.stringify({ version: 1, samples: [sample] }))
              .join('\n') + '\n'
          );
        }
        done += texts.length;
        progress.update(done);
      }
    );
    progress.end();
    if (count === 0) {
      throw new UsageError('no texts given (the files are empty)');
    }
    if (html) {
      await html.close();
      process.stderr.write(
        `char-attention predict: wrote ${output} (${count} texts)\n`
      );
    }
  }

  /** The HTML table written as it comes: one fragment per chunk, one colour scale per text. */
  class HtmlStream {
    constructor(
      private _file: string,
      private _title: string
    ) {}

    async write(samples: ISample[]): Promise<void> {
      const exported = exportPayloadHtml(
        { version: 1, samples, options: { shareScale: false } },
        { fragment: true }
      );
      if (!exported.ok) {
        throw new Error(
          `the payload is not valid: ${exported.problems.map(p => `${p.path}: ${p.message}`).join('; ')}`
        );
      }
      if (this._fd === null) {
        try {
          this._fd = fs.openSync(this._file, 'w');
        } catch (error) {
          const code =
            (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          throw new Error(`cannot write '${this._file}': ${code}`);
        }
        const title = this._title.replace(
          /[&<>"]/g,
          c => `&#${c.charCodeAt(0)};`
        );
        fs.writeSync(
          this._fd,
          `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>\n`
        );
      }
      fs.writeSync(this._fd, exported.html + '\n');
    }

    async close(): Promise<void> {
      if (this._fd !== null) {
        fs.writeSync(this._fd, '</body></html>\n');
        fs.closeSync(this._fd);
        this._fd = null;
      }
    }

    private _fd: number | null = null;
  }

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
}
