/**
 * `char-attention render PAYLOAD.json|- [-o OUT.html] [--fragment] ...`:
 * payload v1 -> standalone HTML (the same export as the JupyterLab commands).
 */
import { IDisplaySettings } from '../payload/normalize';
import { COLORMAP_NAMES, NORMALIZE_MODES } from '../payload/types';
import { JsonDepthError, parseJsonText } from '../payload/json-text';
import { exportPayloadChunks } from '../table/html';
import { InputFileError, readInputFile, refuseOutputOverInput } from './encode';
import { terminalSafe } from './terminal';
import { writeChunksAtomically } from './write-chunks';

export const RENDER_USAGE = `Usage: char-attention render PAYLOAD.json|- [options]

Render an attention payload (application/x-char-attention+json, v1) as a
standalone HTML page: inline CSS, no scripts, works offline, prints well.

Options:
  -o, --output FILE        write the HTML to FILE (default: standard output)
  --fragment               write an embeddable fragment instead of a document
  --colormap NAME          ${COLORMAP_NAMES.join(', ')} (default Reds)
  --chars-per-row N        characters per table row (default 50)
  --normalize MODE         ${NORMALIZE_MODES.join(', ')} (default none)
  --precision N            significant digits of values (default 4)
  --no-whitespace-glyphs   show spaces/newlines as blanks instead of ␣ ↵
  --title TEXT             document title
  -h, --help               show this help

The payload's own "options" win over these flags. An invalid payload prints
every problem (with its JSON path) and exits with status 1.`;

interface IRenderArgs {
  input?: string;
  output?: string;
  fragment: boolean;
  settings: IDisplaySettings;
  title?: string;
  help: boolean;
}

/** Run `render`; resolves to the exit code. */
export async function renderCommand(args: string[]): Promise<number> {
  let parsed: IRenderArgs;
  try {
    parsed = Private.parseArgs(args);
  } catch (error) {
    process.stderr.write(
      `char-attention render: ${(error as Error).message}\n\n${RENDER_USAGE}\n`
    );
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(RENDER_USAGE + '\n');
    return 0;
  }
  if (!parsed.input) {
    process.stderr.write(
      `char-attention render: no payload given\n\n${RENDER_USAGE}\n`
    );
    return 2;
  }
  try {
    await Private.render(parsed, parsed.input);
    return 0;
  } catch (error) {
    if (error instanceof Private.Exit) {
      process.stderr.write(`char-attention render: ${error.message}\n`);
      return error.code;
    }
    throw error;
  }
}

namespace Private {
  /** Ends the command with a message (after `char-attention render: `) and an exit code. */
  export class Exit extends Error {
    constructor(
      message: string,
      readonly code: number
    ) {
      super(message);
    }
  }

  /** Reads, checks and writes one payload; throws `Exit` on any failure. */
  export async function render(
    parsed: IRenderArgs,
    input: string
  ): Promise<void> {
    const name = terminalSafe(input === '-' ? 'standard input' : input);
    try {
      refuseOutputOverInput(parsed.output, [[input, 'payload']]);
    } catch (error) {
      throw new Exit(terminalSafe((error as Error).message), 2);
    }
    const payload = parsePayload(await readText(input, name), name);
    // The document is written chunk by chunk: a payload at the value cap never
    // exists as one string (see README, Limits).
    const result = exportPayloadChunks(payload, {
      settings: parsed.settings,
      fragment: parsed.fragment,
      documentTitle: parsed.title
    });
    if (!result.ok) {
      const count = result.problems.length;
      throw new Exit(
        `${name} is not a valid payload (${count} ${count === 1 ? 'problem' : 'problems'}):\n` +
          result.problems
            .map(problem => `  - ${terminalSafe(problem.message)}`)
            .join('\n'),
        1
      );
    }
    if (parsed.output) {
      writeFile(parsed.output, result.chunks);
    } else {
      for (const chunk of result.chunks) {
        process.stdout.write(chunk);
      }
    }
  }

  export async function readText(input: string, name: string): Promise<string> {
    try {
      return input === '-'
        ? await readStdin()
        : readInputFile(input, 'payload').toString('utf8');
    } catch (error) {
      const reason =
        error instanceof InputFileError
          ? error.reason
          : (error as Error).message;
      throw new Exit(`cannot read ${name}: ${terminalSafe(reason)}`, 1);
    }
  }

  export function parsePayload(text: string, name: string): unknown {
    try {
      return parseJsonText(text);
    } catch (error) {
      throw new Exit(
        `${name} ${
          error instanceof JsonDepthError ? 'is refused' : 'is not valid JSON'
        }: ${(error as Error).message}`,
        1
      );
    }
  }

  export function writeFile(output: string, chunks: Iterable<string>): void {
    let bytes: number;
    try {
      bytes = writeChunksAtomically(output, chunks);
    } catch (error) {
      throw new Exit(
        `cannot write ${terminalSafe(output)}: ${(error as Error).message}`,
        1
      );
    }
    process.stderr.write(`wrote ${terminalSafe(output)} (${bytes} bytes)\n`);
  }

  export function parseArgs(args: string[]): IRenderArgs {
    const parsed: IRenderArgs = { fragment: false, settings: {}, help: false };
    const value = (index: number, flag: string): string => {
      const next = args[index + 1];
      if (next === undefined) {
        throw new Error(`${flag} needs a value`);
      }
      return next;
    };
    const integer = (text: string, flag: string, min: number, max: number) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < min || n > max) {
        throw new Error(`${flag} must be an integer from ${min} to ${max}`);
      }
      return n;
    };
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      switch (arg) {
        case '-h':
        case '--help':
          parsed.help = true;
          break;
        case '-o':
        case '--output':
          parsed.output = value(i++, arg);
          break;
        case '--fragment':
          parsed.fragment = true;
          break;
        case '--colormap': {
          const name = value(i++, arg);
          if ((COLORMAP_NAMES as ReadonlyArray<string>).indexOf(name) < 0) {
            throw new Error(
              `unknown colormap '${name}'; use one of ${COLORMAP_NAMES.join(', ')}`
            );
          }
          parsed.settings.colormap = name as IDisplaySettings['colormap'];
          break;
        }
        case '--chars-per-row':
          parsed.settings.charsPerRow = integer(value(i++, arg), arg, 1, 1000);
          break;
        case '--normalize': {
          const mode = value(i++, arg);
          if ((NORMALIZE_MODES as ReadonlyArray<string>).indexOf(mode) < 0) {
            throw new Error(
              `unknown normalize mode '${mode}'; use one of ${NORMALIZE_MODES.join(', ')}`
            );
          }
          parsed.settings.normalize = mode as IDisplaySettings['normalize'];
          break;
        }
        case '--precision':
          parsed.settings.precision = integer(value(i++, arg), arg, 0, 17);
          break;
        case '--no-whitespace-glyphs':
          parsed.settings.showWhitespace = false;
          break;
        case '--title':
          parsed.title = value(i++, arg);
          break;
        default:
          if (arg.startsWith('-') && arg !== '-') {
            throw new Error(`unknown option ${arg}`);
          }
          if (parsed.input !== undefined) {
            throw new Error(
              `only one payload can be rendered (got ${arg} too)`
            );
          }
          parsed.input = arg;
      }
    }
    return parsed;
  }

  export function readStdin(): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      process.stdin.on('data', chunk => chunks.push(chunk as Buffer));
      process.stdin.on('end', () =>
        resolve(Buffer.concat(chunks).toString('utf8'))
      );
      process.stdin.on('error', reject);
    });
  }
}
