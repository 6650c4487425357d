/**
 * `char-attention encode`: texts -> the integer sequences Keras's
 * `texts_to_sequences` + `pad_sequences` give, for debugging alignment.
 *
 * Also holds the option parsing the text-side commands share
 * (`encode`, `align`, `predict`).
 */
import * as fs from 'fs';
import { JsonDepthError, parseJsonText } from '../payload/json-text';
import {
  encodedLength,
  encodeTexts,
  ICharTokenizer,
  IPadOptions,
  MAX_TOKENIZER_CHARS,
  parseTokenizer,
  resolvePadOptions,
  Side,
  TokenizerError
} from '../text/tokenizer';
import { alignmentNotices, needsNotice } from '../text/align';
import {
  appendAll,
  DEFAULT_MAX_INPUT_LENGTH,
  FILE_LIMITS,
  formatBytes
} from '../model/limits';
import { terminalSafe } from './terminal';
import { messageOf } from '../payload/error-message';

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Which options a command accepts: name -> takes a value / repeats. */
export interface IOptionSpec {
  [name: string]: { value: boolean; repeat?: boolean; alias?: string };
}

/** Parsed command line: option values (last wins unless repeatable) and positional texts. */
export interface IParsedArgs {
  options: { [name: string]: string[] };
  flags: Set<string>;
  positional: string[];
}

/** Options of every text-side command. */
export const TEXT_OPTIONS: IOptionSpec = {
  '--tokenizer': { value: true },
  '--maxlen': { value: true },
  '--padding': { value: true },
  '--truncating': { value: true },
  '--max-length': { value: true },
  '--file': { value: true, repeat: true },
  '--lower': { value: false },
  '--help': { value: false, alias: '-h' }
};

/** Parse `args` against `spec`; `--` ends options; `--name=value` is accepted. */
export function parseArgs(args: string[], spec: IOptionSpec): IParsedArgs {
  const aliases = new Map<string, string>();
  for (const [name, entry] of Object.entries(spec)) {
    if (entry.alias) {
      aliases.set(entry.alias, name);
    }
  }
  const parsed: IParsedArgs = { options: {}, flags: new Set(), positional: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      appendAll(parsed.positional, args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq > 0 ? arg.slice(0, eq) : arg;
    name = aliases.get(name) ?? name;
    const entry = spec[name];
    if (!entry) {
      throw new UsageError(`unknown option '${arg}'`);
    }
    if (!entry.value) {
      if (eq > 0) {
        throw new UsageError(`option '${name}' takes no value`);
      }
      parsed.flags.add(name);
      continue;
    }
    let value: string;
    if (eq > 0) {
      value = arg.slice(eq + 1);
    } else {
      if (i + 1 >= args.length) {
        throw new UsageError(`option '${name}' needs a value`);
      }
      value = args[++i];
    }
    const list = parsed.options[name] ?? [];
    if (list.length && !entry.repeat) {
      list.length = 0;
    }
    list.push(value);
    parsed.options[name] = list;
  }
  return parsed;
}

/** The last value of an option, if given. */
export function optionValue(
  parsed: IParsedArgs,
  name: string
): string | undefined {
  const list = parsed.options[name];
  return list && list.length ? list[list.length - 1] : undefined;
}

/** A file named on the command line that cannot be read, and why (in plain words). */
export class InputFileError extends TokenizerError {
  constructor(
    message: string,
    readonly reason: string
  ) {
    super(message);
    this.name = 'InputFileError';
  }
}

/**
 * Read a file named on the command line, naming it in the error: a regular
 * file of at most `maxBytes` (size checked before reading: `/dev/zero` is
 * refused), or a pipe (`<(command)`) read up to `maxBytes`; '-' is stdin.
 */
export function readInputFile(
  file: string,
  what: string,
  maxBytes: number = FILE_LIMITS.INPUT_FILE_BYTES
): Buffer {
  const fail = (reason: string) =>
    new InputFileError(
      `cannot read ${what} '${terminalSafe(file)}': ${reason}`,
      reason
    );
  try {
    if (file === '-') {
      return fs.readFileSync(0);
    }
    const stat = fs.statSync(file);
    if (stat.isFIFO()) {
      return Private.readPipe(file, maxBytes, fail);
    }
    if (!stat.isFile()) {
      throw fail(
        stat.isDirectory() ? 'it is a folder' : 'it is not a regular file'
      );
    }
    if (stat.size > maxBytes) {
      throw fail(
        `it is ${formatBytes(stat.size)}; at most ${formatBytes(maxBytes)} are read`
      );
    }
    return fs.readFileSync(file);
  } catch (error) {
    if (error instanceof TokenizerError) {
      throw error;
    }
    const code = (error as NodeJS.ErrnoException).code;
    throw fail(
      code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)
    );
  }
}

/** Read and parse a JSON file named on the command line. */
export function readJsonFile(file: string, what: string): unknown {
  const text = readInputFile(file, what).toString('utf8');
  try {
    return parseJsonText(text);
  } catch (error) {
    throw new TokenizerError(
      `${what} '${terminalSafe(file)}' ${
        error instanceof JsonDepthError ? 'is refused' : 'is not valid JSON'
      }: ${(error as Error).message}`
    );
  }
}

/**
 * Refuses an output file that is also one of the inputs (`render p.json -o
 * p.json`): writing it would destroy the input before it is read.
 */
export function refuseOutputOverInput(
  output: string | undefined,
  inputs: Array<[string | undefined, string]>
): void {
  if (output === undefined || output === '-') {
    return;
  }
  let target: fs.Stats;
  try {
    target = fs.statSync(output);
  } catch {
    return; // a new file is no input
  }
  for (const [input, what] of inputs) {
    if (input === undefined || input === '-') {
      continue;
    }
    try {
      const stat = fs.statSync(input);
      if (stat.ino === target.ino && stat.dev === target.dev) {
        throw new UsageError(
          `the output '${output}' is also the ${what}: writing it would destroy the input; choose another output file`
        );
      }
    } catch (error) {
      if (error instanceof UsageError) {
        throw error;
      }
    }
  }
}

/** The tokenizer option: a file path, or inline JSON starting with '{'. */
export function loadTokenizer(
  parsed: IParsedArgs,
  required = true
): ICharTokenizer | null {
  const source = optionValue(parsed, '--tokenizer');
  if (source === undefined) {
    if (required) {
      throw new UsageError('--tokenizer is required');
    }
    return null;
  }
  const text = source.trimStart().startsWith('{')
    ? source
    : readInputFile(source, 'tokenizer file', MAX_TOKENIZER_CHARS).toString(
        'utf8'
      );
  try {
    return parseTokenizer(text, { lower: parsed.flags.has('--lower') });
  } catch (error) {
    if (error instanceof TokenizerError && text !== source) {
      throw new TokenizerError(
        `${terminalSafe(source)}: ${error.message}`,
        error.field
      );
    }
    throw error;
  }
}

/** --max-length: the most input steps a model or --maxlen may ask for. */
export function maxLength(parsed: IParsedArgs): number {
  const raw = optionValue(parsed, '--max-length');
  if (raw === undefined) {
    return DEFAULT_MAX_INPUT_LENGTH;
  }
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || value < 1 || !Number.isSafeInteger(value)) {
    throw new UsageError(
      `--max-length must be a positive integer, got '${raw}'`
    );
  }
  return value;
}

/** --maxlen / --padding / --truncating (and the --max-length cap). */
export function padOptions(parsed: IParsedArgs): IPadOptions {
  const options: IPadOptions = {
    limit: maxLength(parsed),
    limitHint: 'raise it with --max-length'
  };
  const maxlen = optionValue(parsed, '--maxlen');
  if (maxlen !== undefined) {
    const value = Number(maxlen);
    if (!/^\s*\d+\s*$/.test(maxlen) || value < 1) {
      throw new UsageError(
        `--maxlen must be a positive integer, got '${maxlen}'`
      );
    }
    options.maxlen = value;
  }
  for (const name of ['padding', 'truncating'] as const) {
    const value = optionValue(parsed, `--${name}`);
    if (value !== undefined) {
      if (value !== 'pre' && value !== 'post') {
        throw new UsageError(
          `--${name} must be 'pre' or 'post', got '${value}'`
        );
      }
      options[name] = value as Side;
    }
  }
  return options;
}

/** Texts from the command line, then from each --file (one per line). */
export function collectTexts(parsed: IParsedArgs): string[] {
  const texts = [...parsed.positional];
  for (const file of parsed.options['--file'] ?? []) {
    const content = readInputFile(file, 'text file').toString('utf8');
    const lines = content.split(/\r?\n/);
    // A final newline ends the last line; it does not start an empty text.
    if (lines.length && lines[lines.length - 1] === '') {
      lines.pop();
    }
    // No spread: a file can hold more lines than a call has arguments.
    appendAll(texts, lines);
  }
  return texts;
}

/** Print a command's outcome for an error: usage errors exit 2, others 1. */
export function reportError(
  command: string,
  error: unknown,
  usage: string
): number {
  const message = messageOf(error);
  if (error instanceof UsageError) {
    process.stderr.write(
      `char-attention ${command}: ${terminalSafe(message)}\n${usage}`
    );
    return 2;
  }
  process.stderr.write(`char-attention ${command}: ${terminalSafe(message)}\n`);
  return 1;
}

/**
 * Write to stdout and resolve once the data is handed to the OS: the CLI
 * entry calls process.exit() right after, which would cut a large output
 * short on a pipe.
 */
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) =>
    process.stdout.write(text, error => (error ? reject(error) : resolve()))
  );
}

/** Notices printed before the rest are summarised (a large batch must not flood stderr). */
export const MAX_NOTICES = 20;

/**
 * Write one notice per line on stderr (at most MAX_NOTICES, then a count);
 * `moreTexts` counts texts whose notices were not even formatted.
 */
export function writeNotices(
  command: string,
  notices: string[],
  moreTexts = 0
): void {
  const shown = notices.length > MAX_NOTICES ? MAX_NOTICES : notices.length;
  let text = '';
  for (let i = 0; i < shown; i++) {
    text += `char-attention ${command}: ${terminalSafe(notices[i])}\n`;
  }
  if (notices.length > shown || moreTexts > 0) {
    const more = notices.length - shown;
    const parts = [
      more > 0 ? `${more} more notices like these` : '',
      moreTexts > 0 ? `notices for ${moreTexts} more texts` : ''
    ].filter(Boolean);
    text += `char-attention ${command}: ... and ${parts.join(', and ')}\n`;
  }
  if (text) {
    process.stderr.write(text);
  }
}

/** Texts encoded at a time by `encode`. */
const ENCODE_PART = 1000;

export const ENCODE_USAGE = `Usage: char-attention encode --tokenizer TOK.json [--maxlen N]
         [--padding pre|post] [--truncating pre|post] [--lower] [--file F]... TEXT...

Print, as JSON, the integer sequences Keras's Tokenizer.texts_to_sequences
followed by pad_sequences gives for each text (one array per text).

  --tokenizer TOK.json  Tokenizer.to_json() output, or a plain {"char": index} map
                        (a file path, or the JSON itself when it starts with '{')
  --maxlen N            sequence length (default: the longest encoded text)
  --padding pre|post    where zeros go (default pre, as Keras)
  --truncating pre|post which end of a too-long sequence is cut (default pre)
  --lower               lowercase texts first (plain maps only; Keras JSON has its own)
  --max-length N        refuse a maxlen (or longest text) above N steps (default 100000)
  --file F              read texts from F, one per line ('-' = stdin); repeatable
  -h, --help            show this help
`;

export async function encodeCommand(args: string[]): Promise<number> {
  try {
    const parsed = parseArgs(args, TEXT_OPTIONS);
    if (parsed.flags.has('--help')) {
      await writeStdout(ENCODE_USAGE);
      return 0;
    }
    const tokenizer = loadTokenizer(parsed) as ICharTokenizer;
    const pad = padOptions(parsed);
    const texts = collectTexts(parsed);
    if (!texts.length) {
      throw new UsageError('no texts given (pass TEXT arguments or --file F)');
    }
    // Lengths first (for the default maxlen), then encode in parts so a
    // large batch never holds every text's provenance at once.
    const lengths = texts.map(text => encodedLength(tokenizer, text));
    const resolved = resolvePadOptions(lengths, pad);
    const rows: string[] = [];
    const notices: string[] = [];
    let moreTexts = 0;
    for (let from = 0; from < texts.length; from += ENCODE_PART) {
      const { items, options } = encodeTexts(
        tokenizer,
        texts.slice(from, from + ENCODE_PART),
        { ...pad, maxlen: resolved.maxlen }
      );
      if (notices.length <= MAX_NOTICES) {
        appendAll(notices, alignmentNotices(items, options, from));
      } else {
        moreTexts += items.filter(needsNotice).length;
      }
      for (const item of items) {
        rows.push(JSON.stringify(item.padded));
      }
    }
    writeNotices('encode', notices, moreTexts);
    await writeStdout(`[${rows.join(',')}]\n`);
    return 0;
  } catch (error) {
    return reportError('encode', error, ENCODE_USAGE);
  }
}

namespace Private {
  /** A pipe's bytes, at most `maxBytes`. */
  export function readPipe(
    file: string,
    maxBytes: number,
    fail: (reason: string) => Error
  ): Buffer {
    const fd = fs.openSync(file, 'r');
    try {
      const parts: Buffer[] = [];
      let total = 0;
      const chunk = Buffer.alloc(1 << 16);
      for (;;) {
        const n = fs.readSync(fd, chunk, 0, chunk.length, null);
        if (n === 0) {
          return Buffer.concat(parts, total);
        }
        total += n;
        if (total > maxBytes) {
          throw fail(`it holds more than ${formatBytes(maxBytes)}`);
        }
        parts.push(Buffer.from(chunk.subarray(0, n)));
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}
