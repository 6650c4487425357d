/**
 * `char-attention evaluate`: run a model over a labelled file (CSV, TSV,
 * JSONL or plain text) and report per row the prediction, the predicted
 * class, whether it is correct and the loss, plus for each requested method
 * the values and their faithfulness (ERASER comprehensiveness and
 * sufficiency) and the agreement of every pair of methods (Kendall tau-b);
 * then the summary. Streams JSONL in input order with bounded memory, or
 * writes a standalone HTML report with `-o`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { StringDecoder } from 'string_decoder';
import { evaluateRows, IEvaluatedChunk } from '../evaluate/evaluate-rows';
import {
  DataFormatError,
  formatFromName,
  ILabelledRow,
  IReaderOptions,
  LABELLED_FORMATS,
  LabelledFormat,
  LabelledReader
} from '../evaluate/labelled-file';
import { parseClasses } from '../evaluate/labels';
import { poolBackend } from '../evaluate/model-adapter';
import { methodLabel } from '../evaluate/row-payload';
import { SummaryAccumulator } from '../evaluate/summary';
import type { IEvaluationBackend, IEvaluationPlan } from '../evaluate/types';
import { availableMethods, EXPLAIN_METHODS } from '../explain/registry';
import { readOption, TARGET_OPTION } from '../explain/method';
import { ModelError } from '../model/types';
import {
  IParsedArgs,
  optionValue,
  parseArgs,
  reportError,
  UsageError,
  writeNotices,
  writeStdout
} from './encode';
import { IEvaluationSink, JsonlSink, ReportSink } from './evaluate-output';
import {
  flagUsage,
  methodFlagSpec,
  methodHelp,
  methodOptions,
  methodRequests,
  optionValues
} from './method-flags';
import { describeModelError, MODEL_OPTIONS } from './model-run';
import { IPoolRun, openPoolRun } from './pool-run';
import { ProgressLine, runOrdered, STREAM_CHUNK } from './stream';

function usage(): string {
  const help = methodHelp();
  return `Usage: char-attention evaluate --model PATH [--tokenizer JSON] --file F
         [--format csv|tsv|jsonl|text] [--text-column NAME] [--label-column NAME]
         [--classes NAME,NAME...] [--method ${EXPLAIN_METHODS.join('|')}[,...]]
         [${methodOptions().map(flagUsage).join('] [')}]
         [--workers N] [--json | -o REPORT.html] [--worst N]
         [--layer NAME] [--lambda NAME=EXPR]... [--maxlen N] [--padding pre|post]
         [--truncating pre|post] [--max-length N] [--config JSON]

Run the model over every row of a labelled file and report, per row, the
prediction f (the sigmoid probability, or the probability of the target
class), the predicted class, the label, whether it is correct and the loss
(binary or categorical cross-entropy, p clipped to [1e-7, 1 - 1e-7]); for
each --method the values per character with their ERASER faithfulness
(comprehensiveness, sufficiency: AOPC over 1, 5, 10, 20, 50 % of the
characters the model sees), the method's facts (\`meta\`: e.g. steps and
gapRelative of integrated gradients) and Kendall's tau-b between every pair
of methods; then the summary (accuracy, mean loss, confusion matrix, mean
scores, mean agreement).

  --file F             the labelled file ('-' = stdin, with --format)
  --format FORMAT      csv, tsv (header row; Python csv quoting), jsonl (one
                       object per line) or text (one text per line, no labels);
                       default from the file name
  --text-column NAME   column / key of the text (default text)
  --label-column NAME  column / key of the label (default label; optional)
  --classes A,B,...    class names: labels may be names (A = class 0, ...)
  --method M[,M...]
${help.methods}
${help.options}
                       (--target also chooses the unit reported as prediction)
  --json               stream JSONL on stdout (the default): one line per row
                       in input order, then {"summary": ...}
  -o, --output FILE    write the standalone HTML report instead: summary,
                       confusion matrix, rows by loss, attribution tables of the
                       worst rows (explained with the first method the model
                       can run when no --method is given)
  --worst N            attribution tables in the report (default 10)
  --workers N          worker threads (default: the number of CPU cores)
  --model, --config, --tokenizer, --layer, --lambda, --maxlen, --padding,
  --truncating, --max-length   as for char-attention predict
  -h, --help           show this help

Labels are 0/1 for a sigmoid output and class indices for a softmax; an empty
label means none (the row has no loss). A model with a variable input length
runs each text at its own length unless --maxlen pads them all. A bad row
stops the run with its line number. Progress goes to stderr when it is a
terminal. Exit code 1 when the model or the file cannot be read, 2 for a
command-line mistake.
`;
}

export const EVALUATE_USAGE = usage();

const EVALUATE_OPTIONS = {
  ...MODEL_OPTIONS,
  ...methodFlagSpec(),
  '--format': { value: true },
  '--text-column': { value: true },
  '--label-column': { value: true },
  '--classes': { value: true },
  '--worst': { value: true }
};

/** Rows per chunk when methods run (each row is many passes). */
const EXPLAIN_CHUNK = 16;

export async function evaluateCommand(args: string[]): Promise<number> {
  let run: IPoolRun | null = null;
  try {
    const parsed = parseArgs(args, EVALUATE_OPTIONS);
    if (parsed.flags.has('--help')) {
      await writeStdout(EVALUATE_USAGE);
      return 0;
    }
    const input = Private.input(parsed);
    const plan = Private.plan(parsed);
    const worst = Private.integer(parsed, '--worst', 0, 1000) ?? 10;
    run = await openPoolRun(parsed, 'evaluate');
    const backend = poolBackend(run.pool, run.pipeline);
    const methods = plan.methods.map(m => m.method);
    const sink = Private.sink(run, input.file, plan, worst, backend);
    const summary = new SummaryAccumulator(methods, plan.classes);
    const progress = new ProgressLine('char-attention evaluate');
    const count = await runOrdered<IEvaluatedChunk, ILabelledRow>(
      Private.readRows(input.file, new LabelledReader(input.reader)),
      {
        chunk: plan.methods.length ? EXPLAIN_CHUNK : STREAM_CHUNK,
        window: 2 * run.workers
      },
      rows =>
        Private.inFile(input.file, () => evaluateRows(rows, backend, plan)),
      async chunk => {
        progress.end();
        writeNotices('evaluate', chunk.notices);
        chunk.rows.forEach(r => summary.add(r.row, r.extras));
        await sink.rows(chunk.rows);
        progress.update(summary.count);
      }
    );
    progress.end();
    if (count === 0) {
      throw new UsageError(`${input.file} has no rows`);
    }
    const result = summary.result();
    if (result.labelled === 0) {
      Private.warnUnlabelled(input.reader);
    }
    await sink.finish(result);
    if (run.output !== undefined) {
      process.stderr.write(
        `char-attention evaluate: wrote ${run.output} (${count} rows)\n`
      );
    }
    return 0;
  } catch (error) {
    return reportError('evaluate', describeModelError(error), EVALUATE_USAGE);
  } finally {
    run?.pool.dispose();
  }
}

namespace Private {
  /**
   * Where the rows go: JSONL on stdout, or with `-o` the HTML report, whose
   * worst rows are explained afterwards when no --method was given.
   */
  export function sink(
    run: IPoolRun,
    file: string,
    plan: IEvaluationPlan,
    worst: number,
    backend: IEvaluationBackend
  ): IEvaluationSink {
    if (run.output === undefined) {
      return new JsonlSink();
    }
    return new ReportSink({
      output: run.output,
      heading: `Evaluation of ${path.basename(run.mainFile)} on ${path.basename(file)}`,
      methods: plan.methods.map(m => m.method),
      worst,
      explainWorst: async rows => {
        // The first method the model can run, in the users' order.
        const [method] = availableMethods(run.info);
        const chunk = await evaluateRows(
          rows.map(r => ({
            index: r.row.index,
            line: r.extras.line,
            text: r.row.text,
            label: r.row.label
          })),
          backend,
          { ...plan, methods: [{ method }] }
        );
        return {
          rows: chunk.rows,
          note: `No --method was given: the attribution tables show ${methodLabel(method)}, computed for these rows only.`
        };
      }
    });
  }

  /** Says on stderr why accuracy and loss are missing, naming where labels were looked for. */
  export function warnUnlabelled(reader: IReaderOptions): void {
    const where =
      reader.format === 'text'
        ? ' (plain text)'
        : ` (${reader.format === 'jsonl' ? 'key' : 'column'} '${reader.labelColumn ?? 'label'}')`;
    process.stderr.write(
      `char-attention evaluate: no row has a label${where}: accuracy and loss are not computed\n`
    );
  }

  /** The file, its format (said on stderr when taken from the name) and the columns. */
  export function input(parsed: IParsedArgs): {
    file: string;
    reader: IReaderOptions;
  } {
    const files = parsed.options['--file'] ?? [];
    if (files.length !== 1) {
      throw new UsageError(
        '--file F is required, once: the labelled file (CSV, TSV, JSONL or text)'
      );
    }
    if (parsed.positional.length) {
      throw new UsageError(
        `evaluate reads its rows from --file; unexpected argument '${parsed.positional[0]}'`
      );
    }
    const file = files[0];
    const given = optionValue(parsed, '--format');
    let format: LabelledFormat | null;
    if (given !== undefined) {
      if (!(LABELLED_FORMATS as ReadonlyArray<string>).includes(given)) {
        throw new UsageError(
          `--format must be one of ${LABELLED_FORMATS.join(', ')}, got '${given}'`
        );
      }
      format = given as LabelledFormat;
    } else {
      format = file === '-' ? null : formatFromName(file);
      if (!format) {
        throw new UsageError(
          `cannot tell the format of '${file}' from its name: give --format ${LABELLED_FORMATS.join('|')}`
        );
      }
      process.stderr.write(
        `char-attention evaluate: reading ${file} as ${format.toUpperCase()} (from its name; --format to change)\n`
      );
    }
    return {
      file,
      reader: {
        format,
        textColumn: optionValue(parsed, '--text-column'),
        labelColumn: optionValue(parsed, '--label-column')
      }
    };
  }

  export function integer(
    parsed: IParsedArgs,
    name: string,
    min: number,
    max: number
  ): number | undefined {
    const text = optionValue(parsed, name);
    if (text === undefined) {
      return undefined;
    }
    if (!/^\s*\d+\s*$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new UsageError(
        `${name} must be an integer from ${min} to ${max}, got '${text}'`
      );
    }
    return Number(text);
  }

  /** --method list and its options (checked by the registry), --target, --classes. */
  export function plan(parsed: IParsedArgs): IEvaluationPlan {
    const methods = methodRequests(parsed, false);
    let target: number | null;
    try {
      target = readOption(
        { ...optionValues(parsed), method: 'evaluate' },
        TARGET_OPTION,
        'evaluate'
      );
    } catch (error) {
      throw error instanceof ModelError
        ? new UsageError(`--${error.message}`)
        : error;
    }
    const classesText = optionValue(parsed, '--classes');
    let classes: string[] | null = null;
    if (classesText !== undefined) {
      try {
        classes = parseClasses(classesText);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    return { methods, classes, target };
  }

  /** An error about the data, naming the file. */
  export function named(file: string, error: unknown): unknown {
    return error instanceof DataFormatError
      ? new Error(`${file === '-' ? 'stdin' : file}: ${error.message}`)
      : error;
  }

  /** Errors about the data name the file. */
  export async function inFile<T>(
    file: string,
    task: () => Promise<T>
  ): Promise<T> {
    try {
      return await task();
    } catch (error) {
      throw named(file, error);
    }
  }

  /** The rows of the file, read in 64 KB chunks (never the whole file). */
  export async function* readRows(
    file: string,
    reader: LabelledReader
  ): AsyncGenerator<ILabelledRow> {
    const decoder = new StringDecoder('utf8');
    const stream = open(file);
    const parse = (text: string, last: boolean) => {
      try {
        const rows = reader.push(text);
        if (last) {
          for (const row of reader.end()) {
            rows.push(row);
          }
        }
        return rows;
      } catch (error) {
        throw named(file, error);
      }
    };
    for await (const chunk of stream) {
      for (const row of parse(
        typeof chunk === 'string' ? chunk : decoder.write(chunk),
        false
      )) {
        yield row;
      }
    }
    for (const row of parse(decoder.end(), true)) {
      yield row;
    }
  }

  export function open(file: string): NodeJS.ReadableStream {
    if (file === '-') {
      return process.stdin;
    }
    try {
      const fd = fs.openSync(file, 'r');
      return fs.createReadStream(file, { fd, highWaterMark: 1 << 16 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(
        `cannot read '${file}': ${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)}`
      );
    }
  }
}
