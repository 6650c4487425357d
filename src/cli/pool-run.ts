/**
 * The model-running commands (`predict`, `explain`) on a pool of worker
 * threads: the model loads once per thread, texts are encoded here, and
 * with `--file` the input is streamed in chunks (bounded memory) and the
 * results written in input order, as JSONL or as one HTML document.
 */
import * as fs from 'fs';
import * as path from 'path';
import { WorkerPool } from '../workers/pool';
import { readModelFiles } from '../model/files/node-files';
import { ITextPipeline } from '../text/pipeline';
import { IPadOptions, IPaddedText } from '../text/tokenizer';
import { IModelInfo } from '../model/types';
import { IBatchPayload, ISample } from '../payload/types';
import { IPredictionLines, payloadLines } from '../explain/prediction-lines';
import { exportPayloadHtml } from '../table/html';
import {
  IOptionSpec,
  IParsedArgs,
  optionValue,
  padOptions,
  parseArgs,
  refuseOutputOverInput,
  reportError,
  UsageError,
  writeNotices,
  writeStdout
} from './encode';
import {
  describeModelError,
  modelRunChecks,
  openTextPipeline,
  writePayload
} from './model-run';
import {
  ProgressLine,
  runOrdered,
  STREAM_CHUNK,
  streamTexts,
  workersOption
} from './stream';
import { spawnThreadWorker } from '../workers/spawn-thread';
import { terminalSafe } from './terminal';

/** A model loaded in the worker pool, and what encoding texts for it needs. */
export interface IPoolRun {
  pool: WorkerPool;
  workers: number;
  info: IModelInfo;
  /** The model file named in messages and titles. */
  mainFile: string;
  /** Texts to what the model sees (tokenizer, vocabulary check, lengths). */
  pipeline: ITextPipeline;
  /** `-o` target, when HTML is wanted. */
  output?: string;
  /** --file arguments (streamed input) */
  files: string[];
}

/** Checks the command line, loads the tokenizer and the model (in the pool). The caller disposes `pool`. */
export async function openPoolRun(
  parsed: IParsedArgs,
  command: string
): Promise<IPoolRun> {
  const modelPath = optionValue(parsed, '--model');
  if (modelPath === undefined) {
    throw new UsageError('--model is required');
  }
  const output = optionValue(parsed, '--output');
  if (output !== undefined && parsed.flags.has('--json')) {
    throw new UsageError('--json and -o/--output exclude each other');
  }
  refuseOutputOverInput(output, [
    [modelPath, 'model (--model)'],
    [optionValue(parsed, '--config'), 'model config (--config)'],
    [optionValue(parsed, '--tokenizer'), 'tokenizer (--tokenizer)'],
    ...(parsed.options['--file'] ?? []).map((f): [string, string] => [
      f,
      'text file (--file)'
    ])
  ]);
  const workers = workersOption(optionValue(parsed, '--workers'));
  const loadOptions = modelRunChecks.loadOptions(parsed);
  const pad: IPadOptions = padOptions(parsed);
  const files = parsed.options['--file'] ?? [];
  if (!files.length && !parsed.positional.length) {
    throw new UsageError('no texts given (pass TEXT arguments or --file F)');
  }
  const source = readModelFiles(modelPath, optionValue(parsed, '--config'));
  refuseOutputOverInput(output, [[source.mainFile, 'model (--model)']]);
  const pool = new WorkerPool({
    spawn: () => spawnThreadWorker(),
    size: workers,
    idleMs: 0,
    // A streamed file keeps every worker busy: all load the model at once.
    eagerLoad: files.length > 0
  });
  try {
    // Small forward passes keep each thread's buffers (and the process's
    // peak memory) small on long streamed files, at about the same speed.
    const info = await pool.load(source.files, {
      ...loadOptions,
      chunkSize: 8
    });
    const pipeline = openTextPipeline(info, parsed, modelPath, command, pad);
    return {
      pool,
      workers,
      info,
      mainFile: source.mainFile,
      pipeline,
      output,
      files
    };
  } catch (error) {
    pool.dispose();
    throw error;
  }
}

/** What each sample's meta says about the model. */
export function modelMeta(run: IPoolRun): { [key: string]: unknown } {
  const info = run.info;
  return {
    model: path.basename(run.mainFile),
    format: info.format,
    ...(info.kerasVersion ? { kerasVersion: info.kerasVersion } : {}),
    ...(info.inferences?.length ? { inferences: info.inferences } : {})
  };
}

/**
 * What each sample's meta says about its input: the rule of its length
 * (`model`, `maxlen`, or `own`: the text alone) and the positions the
 * model saw.
 */
export function inputMeta(
  run: IPoolRun,
  item: IPaddedText
): { lengths: string; length: number } {
  return { lengths: run.pipeline.lengths, length: item.padded.length };
}

/** Texts encoded for the model; their notices written, numbered from `first` + 1. */
export function encodeForRun(
  run: IPoolRun,
  texts: string[],
  command: string,
  first = 0
): IPaddedText[] {
  const { items, notices } = run.pipeline.encode(texts, first);
  writeNotices(command, notices);
  return items;
}

/** What one model-running command (`predict`, `explain`) brings to `runPoolCommand`. */
export interface IPoolCommand {
  name: string;
  usage: string;
  options: IOptionSpec;
  /** The payload's title (HTML export). */
  heading: string;
  /**
   * Checks the arguments before the model loads, and returns what makes
   * the samples of a chunk of encoded texts once it is loaded.
   */
  prepare(
    parsed: IParsedArgs
  ): (
    run: IPoolRun
  ) => (items: IPaddedText[], first: number) => Promise<ISample[]>;
  /**
   * A streamed file's JSONL made in the workers (texts in, finished lines
   * out), if the command has that; else the samples above are written here.
   */
  lines?: (run: IPoolRun) => LinesWork;
}

/** Texts (the first being text `first` + 1) to their JSONL lines and notices. */
export type LinesWork = (
  texts: string[],
  first: number
) => Promise<IPredictionLines>;

/**
 * A model-running command: arguments, --help, the model loaded in the
 * worker pool, every text's samples written; resolves to the exit code.
 */
export async function runPoolCommand(
  args: string[],
  command: IPoolCommand
): Promise<number> {
  let run: IPoolRun | null = null;
  try {
    const parsed = parseArgs(args, command.options);
    if (parsed.flags.has('--help')) {
      await writeStdout(command.usage);
      return 0;
    }
    const start = command.prepare(parsed);
    run = await openPoolRun(parsed, command.name);
    const work = start(run);
    await writeRunSamples(
      run,
      parsed,
      command.name,
      command.heading,
      work,
      command.lines?.(run)
    );
    return 0;
  } catch (error) {
    return reportError(command.name, describeModelError(error), command.usage);
  } finally {
    run?.pool.dispose();
  }
}

/**
 * The samples of the run's texts: streamed file by file (`streamRun`) with
 * --file, else one payload of the texts given, written with the heading.
 */
export async function writeRunSamples(
  run: IPoolRun,
  parsed: IParsedArgs,
  command: string,
  heading: string,
  work: (items: IPaddedText[], first: number) => Promise<ISample[]>,
  lines?: LinesWork
): Promise<void> {
  if (run.files.length) {
    const title = `${heading}: ${path.basename(run.mainFile)}`;
    await streamRun(run, parsed, command, title, work, lines);
    return;
  }
  const items = encodeForRun(run, parsed.positional, command);
  const payload: IBatchPayload = {
    version: 1,
    samples: await work(items, 0),
    meta: { ...run.pipeline.meta() }
  };
  await writePayload(payload, run, command, heading);
}

/**
 * --file: texts streamed through `work` chunk by chunk, a bounded number
 * in flight; each result's samples written in input order as JSONL (one
 * payload of one sample per line) or into the HTML document (-o, one colour
 * scale per text). JSONL comes finished from `lines` when given. Returns
 * the number of texts.
 */
export async function streamRun(
  run: IPoolRun,
  parsed: IParsedArgs,
  command: string,
  title: string,
  work: (items: IPaddedText[], first: number) => Promise<ISample[]>,
  lines?: LinesWork
): Promise<number> {
  const progress = new ProgressLine(`char-attention ${command}`);
  const html =
    run.output === undefined ? null : new HtmlStream(run.output, title);
  const chunkWork = async (
    texts: string[],
    first: number
  ): Promise<IChunkOutput> => {
    if (!html && lines) {
      return lines(texts, first);
    }
    const { items, notices } = run.pipeline.encode(texts, first);
    const samples = await work(items, first);
    return html
      ? { samples, notices }
      : { lines: payloadLines(samples), notices };
  };
  let done = 0;
  try {
    const count = await runOrdered(
      streamTexts(parsed.positional, run.files),
      // Enough chunks to keep every worker busy, few enough to bound memory.
      { chunk: STREAM_CHUNK, window: 2 * run.workers },
      chunkWork,
      async (output, texts) => {
        progress.end();
        writeNotices(command, output.notices);
        if (html && output.samples) {
          html.write(output.samples);
        } else if (output.lines) {
          await writeStdout(output.lines);
        }
        done += texts.length;
        progress.update(done);
      }
    );
    if (count === 0) {
      throw new UsageError('no texts given (the files are empty)');
    }
    if (html) {
      html.close();
      process.stderr.write(
        `char-attention ${command}: wrote ${terminalSafe(run.output ?? '')} (${count} texts)\n`
      );
    }
    return count;
  } finally {
    progress.end();
    html?.abandon();
  }
}

/** What one chunk of a stream gives: JSONL lines, or samples for the HTML. */
interface IChunkOutput {
  lines?: string;
  samples?: ISample[];
  notices: string[];
}

/** The HTML document written as it comes: one fragment per chunk. */
class HtmlStream {
  constructor(
    private _file: string,
    private _title: string
  ) {}

  write(samples: ISample[]): void {
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

  close(): void {
    if (this._fd !== null) {
      fs.writeSync(this._fd, '</body></html>\n');
      fs.closeSync(this._fd);
      this._fd = null;
    }
  }

  /** After a failure: close the file as it is. */
  abandon(): void {
    if (this._fd !== null) {
      fs.closeSync(this._fd);
      this._fd = null;
    }
  }

  private _fd: number | null = null;
}
