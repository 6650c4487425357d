/**
 * Streaming helpers of the CLI's `--file` mode: texts read line by line
 * (never the whole file at once), work done in chunks with a bounded number
 * in flight, results written in input order, and a progress line on stderr
 * when (and only when) stderr is a terminal.
 */
import * as fs from 'fs';
import * as os from 'os';
import { StringDecoder } from 'string_decoder';
import { TokenizerError } from '../text/tokenizer';
import { UsageError } from './encode';

/** Texts per chunk handed to the worker pool. */
export const STREAM_CHUNK = 256;

/** `--workers N`: a positive integer, default the number of CPU cores. */
export function workersOption(value: string | undefined): number {
  if (value === undefined) {
    const cores =
      typeof os.availableParallelism === 'function'
        ? os.availableParallelism()
        : os.cpus().length;
    return Math.max(1, cores);
  }
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1 || Number(value) > 64) {
    throw new UsageError(
      `--workers must be an integer from 1 to 64, got '${value}'`
    );
  }
  return Number(value);
}

/** Opens a text file ('-' = stdin) for streaming, naming it in the error. */
function openText(file: string): NodeJS.ReadableStream {
  if (file === '-') {
    return process.stdin;
  }
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message);
    throw new TokenizerError(`cannot read text file '${file}': ${reason}`);
  }
  return fs.createReadStream(file, { fd, highWaterMark: 1 << 16 });
}

/**
 * The texts of the command line, then each file's lines (a final newline
 * does not start an empty text; '\r\n' counts as one line end).
 */
export async function* streamTexts(
  positional: string[],
  files: string[]
): AsyncGenerator<string> {
  for (const text of positional) {
    yield text;
  }
  for (const file of files) {
    const decoder = new StringDecoder('utf8');
    let carry = '';
    for await (const chunk of openText(file)) {
      carry += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      const lines = carry.split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) {
        yield line.endsWith('\r') ? line.slice(0, -1) : line;
      }
    }
    carry += decoder.end();
    if (carry !== '') {
      yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
    }
  }
}

/**
 * Cuts `source` (texts, or any items) into chunks, runs `work` on up to `window` chunks at once
 * and hands the results to `emit` in input order (awaiting it: output
 * back-pressure slows reading). At most `window` chunks are held at any
 * time, however long the input.
 */
export async function runOrdered<R, T = string>(
  source: AsyncIterable<T>,
  options: { chunk: number; window: number },
  work: (texts: T[], first: number) => Promise<R>,
  emit: (result: R, texts: T[], first: number) => Promise<void>
): Promise<number> {
  const inFlight: Array<{
    texts: T[];
    first: number;
    result: Promise<R>;
  }> = [];
  let count = 0;
  let texts: T[] = [];
  const launch = () => {
    const first = count - texts.length;
    const result = work(texts, first);
    // Settled later, in order; a failure surfaces there.
    result.catch(() => undefined);
    inFlight.push({ texts, first, result });
    texts = [];
  };
  const drainOne = async () => {
    const next = inFlight.shift()!;
    await emit(await next.result, next.texts, next.first);
  };
  try {
    for await (const text of source) {
      texts.push(text);
      count++;
      if (texts.length === options.chunk) {
        launch();
        while (inFlight.length >= options.window) {
          await drainOne();
        }
      }
    }
    if (texts.length > 0) {
      launch();
    }
    while (inFlight.length > 0) {
      await drainOne();
    }
  } finally {
    inFlight.length = 0;
  }
  return count;
}

/** A progress line on stderr, redrawn in place; silent unless stderr is a terminal. */
export class ProgressLine {
  constructor(
    private readonly _label: string,
    private readonly _enabled = process.stderr.isTTY === true
  ) {}

  update(done: number): void {
    if (!this._enabled) {
      return;
    }
    const now = Date.now();
    if (now - this._last < 200) {
      return;
    }
    this._last = now;
    const seconds = (now - this._started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    process.stderr.write(`\r${this._label}: ${done} texts (${rate}/s)\u001b[K`);
    this._shown = true;
  }

  /** Clears the line so that what follows starts at column 0. */
  end(): void {
    if (this._shown) {
      process.stderr.write('\r\u001b[K');
      this._shown = false;
    }
  }

  private _started = Date.now();
  private _last = 0;
  private _shown = false;
}
