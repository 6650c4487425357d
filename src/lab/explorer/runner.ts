/**
 * The explorer's link to the model, its one adapter: the labelled file read
 * through the contents API, the model loaded by a `ModelSession` (settings,
 * Lambda meanings, backend, limits) into its worker pool, the texts encoded
 * by the session's text pipeline (a tokenizer JSON or the model's own
 * TextVectorization; each text at its own length for a variable-length
 * model), and the rows evaluated chunk by chunk
 * (`evaluateRows`, predictions only) with progress and Cancel. Explanations
 * of chosen rows are computed on demand and cached.
 *
 * No DOM: the contents manager and the session are given.
 */
import { evaluateRows, IEvaluated } from '../../evaluate/evaluate-rows';
import {
  formatFromName,
  IColumns,
  ILabelledRow,
  LabelledFormat,
  readLabelledText
} from '../../evaluate/labelled-file';
import { poolBackend } from '../../evaluate/model-adapter';
import type { IEvaluationBackend, IMethodRequest } from '../../evaluate/types';
import type { IModelInfo } from '../../model/types';
import { RequestCancelledError } from '../../workers/client';
import { IContentsLike, readText } from '../model-files';
import type { ILoadProgress, ModelSession } from '../model-session';

/** Rows per chunk of the prediction run (the pool splits each across its workers). */
export const RUN_CHUNK = 256;
/** Chunks in flight at once: keeps every worker busy between chunks. */
const IN_FLIGHT = 2;

export interface ILabelledFile {
  path: string;
  format: LabelledFormat;
  rows: ILabelledRow[];
  columns: IColumns | null;
}

export interface IRunHooks {
  /** Rows of each finished chunk, in input order. */
  onRows(rows: IEvaluated[]): void;
  onProgress(done: number, total: number): void;
  signal: AbortSignal;
}

export type RunOutcome = 'done' | 'cancelled';

export class ExplorerRunner {
  constructor(
    private _contents: IContentsLike,
    private _session: ModelSession
  ) {}

  get info(): IModelInfo | null {
    return this._session.info;
  }

  /** Reads and parses a CSV / TSV / JSONL file (errors name the line). */
  async readFile(
    path: string,
    columns: { text?: string; label?: string } = {}
  ): Promise<ILabelledFile> {
    const format = formatFromName(path);
    if (!format || format === 'text') {
      throw new Error(
        `${path}: the explorer reads .csv, .tsv and .jsonl files with a text column`
      );
    }
    const text = await readText(this._contents, path);
    try {
      const read = readLabelledText(text, {
        format,
        textColumn: columns.text || undefined,
        labelColumn: columns.label || undefined
      });
      return { path, format, ...read };
    } catch (error) {
      throw new Error(`${path}: ${(error as Error).message}`);
    }
  }

  /**
   * Loads the model (in the session's pool) and its tokenizer ('' = the
   * model's own TextVectorization layer); texts are then encoded by the
   * session's pipeline.
   */
  async load(
    modelPath: string,
    tokenizerPath: string,
    onProgress?: (progress: ILoadProgress) => void
  ): Promise<IModelInfo> {
    if (
      this._backend &&
      this._loaded === `${modelPath}\n${tokenizerPath}` &&
      this._session.isReady
    ) {
      return this._session.info!;
    }
    this._backend = null;
    this._cache.clear();
    const info = await this._session.load(modelPath, tokenizerPath, onProgress);
    this._backend = poolBackend(
      this._session.runner,
      this._session.textPipeline()
    );
    this._loaded = `${modelPath}\n${tokenizerPath}`;
    return info;
  }

  /**
   * Predictions for every row, `IN_FLIGHT` chunks at a time, handed over in
   * input order. Cancel stops at once; what was handed over stays.
   */
  async run(
    rows: ILabelledRow[],
    classes: string[] | null,
    hooks: IRunHooks
  ): Promise<RunOutcome> {
    const backend = this._requireBackend();
    const plan = { methods: [], classes, target: null };
    const pending: Array<Promise<IEvaluated[]>> = [];
    let next = 0;
    let done = 0;
    const launch = () => {
      const chunk = rows.slice(next, next + RUN_CHUNK);
      next += chunk.length;
      const result = evaluateRows(chunk, backend, plan, hooks.signal).then(
        r => r.rows
      );
      result.catch(() => undefined);
      pending.push(result);
    };
    try {
      while (next < rows.length || pending.length) {
        while (next < rows.length && pending.length < IN_FLIGHT) {
          launch();
        }
        const evaluated = await pending.shift()!;
        if (hooks.signal.aborted) {
          return 'cancelled';
        }
        done += evaluated.length;
        hooks.onRows(evaluated);
        hooks.onProgress(done, rows.length);
      }
      return 'done';
    } catch (error) {
      if (hooks.signal.aborted || error instanceof RequestCancelledError) {
        return 'cancelled';
      }
      throw error;
    }
  }

  /** The rows explained with `methods` and their options (values, faithfulness, agreement), cached. */
  async explain(
    rows: ILabelledRow[],
    methods: IMethodRequest[],
    classes: string[] | null,
    signal?: AbortSignal
  ): Promise<IEvaluated[]> {
    const backend = this._requireBackend();
    const key = (row: ILabelledRow) =>
      `${row.index}|${JSON.stringify(methods)}|${classes ?? ''}`;
    const missing = rows.filter(row => !this._cache.has(key(row)));
    if (missing.length) {
      // A target given in the method options is the explained unit of the rows.
      const given = methods.find(m => typeof m.target === 'number')?.target;
      const chunk = await evaluateRows(
        missing,
        backend,
        { methods, classes, target: typeof given === 'number' ? given : null },
        signal
      );
      chunk.rows.forEach((evaluated, i) =>
        this._cache.set(key(missing[i]), evaluated)
      );
    }
    return rows.map(row => this._cache.get(key(row))!);
  }

  /** Explained rows in the cache, for the characters statistics. */
  cachedRows(): IEvaluated[] {
    return Array.from(this._cache.values());
  }

  private _requireBackend(): IEvaluationBackend {
    if (!this._backend) {
      throw new Error('No model is loaded yet.');
    }
    return this._backend;
  }

  private _backend: IEvaluationBackend | null = null;
  private _loaded = '';
  private _cache = new Map<string, IEvaluated>();
}
