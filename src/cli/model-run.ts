/**
 * What the model-running commands (`predict`, `explain`) share: their
 * options, the text pipeline once the model has loaded (the tokenizer
 * chosen here, everything else in `text/pipeline.ts`), and writing the
 * payload as JSON or standalone HTML.
 */
import * as fs from 'fs';
import * as path from 'path';
import { WorkerRequestError } from '../workers/client';
import {
  createTextPipeline,
  ITextPipeline,
  TextPipelineError,
  TextSource
} from '../text/pipeline';
import { IPadOptions } from '../text/tokenizer';
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

/**
 * After the model has loaded: prints what the loader inferred and returns
 * the text pipeline (`text/pipeline.ts`) with the tokenizer: --tokenizer,
 * else the model's own TextVectorization layer, else tokenizer.json next to
 * the model. A --maxlen, --padding or --truncating the model cannot take is
 * a usage error.
 */
export function openTextPipeline(
  info: IModelInfo,
  parsed: IParsedArgs,
  modelPath: string,
  command: string,
  pad: IPadOptions
): ITextPipeline {
  // What the loader inferred is never silent.
  writeNotices(
    command,
    (info.inferences ?? []).map((i: string) => `inferred: ${i}`)
  );
  const given = loadTokenizer(parsed, false);
  const source: TextSource | null = given
    ? {
        kind: 'tokenizer',
        tokenizer: given,
        name: Private.tokenizerName(parsed)
      }
    : info.tokenizer
      ? null
      : Private.nearbyTokenizer(parsed, modelPath);
  let pipeline: ITextPipeline;
  try {
    pipeline = createTextPipeline(info, source, pad);
  } catch (error) {
    if (
      error instanceof TextPipelineError &&
      (error.field === 'maxlen' ||
        error.field === 'padding' ||
        error.field === 'truncating')
    ) {
      throw new UsageError(`--${error.message}`);
    }
    throw error;
  }
  if (!given) {
    process.stderr.write(
      `char-attention ${command}: using ${pipeline.source.kind === 'tokenizer' ? 'tokenizer ' : ''}${terminalSafe(pipeline.sourceLabel)}` +
        `${pipeline.source.kind === 'tokenizer' ? '' : ' as the tokenizer'}\n`
    );
  }
  return pipeline;
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

  /** The --tokenizer file, or `(inline JSON)`. */
  export function tokenizerName(parsed: IParsedArgs): string {
    const source = optionValue(parsed, '--tokenizer') ?? '';
    return source.trimStart().startsWith('{') ? '(inline JSON)' : source;
  }

  /** tokenizer.json next to the model. */
  export function nearbyTokenizer(
    parsed: IParsedArgs,
    modelPath: string
  ): TextSource {
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
        '--tokenizer is required (no tokenizer.json next to the model, and the model has no TextVectorization layer)'
      );
    }
    const tokenizer = loadTokenizer({
      ...parsed,
      options: { ...parsed.options, '--tokenizer': [nearby] }
    })!;
    return { kind: 'tokenizer', tokenizer, name: nearby };
  }
}

/** The option checks, for the commands that run the model in worker threads. */
export const modelRunChecks = {
  loadOptions: Private.loadOptions
};
