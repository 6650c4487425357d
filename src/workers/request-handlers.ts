/**
 * What a worker does for each request kind, on the one model it holds. The
 * engine and the explainer come from injected lazy imports (`IWorkerModules`),
 * so nothing here pulls model code into a bundle. Queueing, cancellation and
 * error replies are the request handler's (`protocol.ts`).
 */
import type { IExplainer, IExplainPartial, IExplainUnit } from '../explain';
import type { ILoadedModel } from '../model/engine';
import {
  ExplainResult,
  ExplainTask,
  ILoadRequest,
  IWorkerModules,
  ModelLoader,
  ExplainerFactory,
  IPredictLinesRequest,
  LinesMaker,
  PREDICT_CHUNK,
  WorkerRequest,
  WorkerResponse
} from './messages';
import { predictByLength } from './predict-by-length';

/** Sends one reply. */
export type Post = (response: WorkerResponse) => void;

/** Waits for pending messages, then throws if request `id` was cancelled. */
export type Checkpoint = (id: number) => Promise<void>;

/**
 * The worker's one model (and its explainer), with a handler per request
 * kind. `load` replaces (and disposes) the previous model only once the new
 * one has loaded.
 */
export class WorkerModel {
  constructor(
    private readonly modules: IWorkerModules,
    private readonly post: Post,
    private readonly checkpoint: Checkpoint
  ) {}

  /** Runs one request (not `cancel`: the request handler applies it). */
  async handle(request: WorkerRequest): Promise<void> {
    switch (request.type) {
      case 'load':
        return this.load(request);
      case 'predict':
        return this.predict(request.id, request.sequences ?? []);
      case 'predictLines':
        return this.predictLines(request);
      case 'explain':
        return this.explain(request.id, request.task);
      case 'dispose':
        this.release();
        this.post({ type: 'disposed', id: request.id });
        return;
      default:
        throw new Error(
          `Unknown request type ${JSON.stringify((request as { type?: unknown })?.type)}`
        );
    }
  }

  private async load(request: ILoadRequest): Promise<void> {
    const id = request.id;
    this.post({ type: 'progress', id, stage: 'load', done: 0, total: 1 });
    this.loader = this.loader ?? (await this.modules.engine());
    const next = await this.loader(request.files, request.options);
    this.release();
    this.model = next;
    this.post({ type: 'progress', id, stage: 'load', done: 1, total: 1 });
    this.post({ type: 'loaded', id, info: next.info });
  }

  private async predict(id: number, sequences: number[][]): Promise<void> {
    const result = await this.predictSequences(id, sequences);
    this.post({ type: 'predicted', id, result });
  }

  private async predictLines(request: IPredictLinesRequest): Promise<void> {
    const { id, texts, first, job } = request;
    const model = this.requireModel();
    if (!this.modules.lines) {
      throw new Error('This worker cannot write prediction lines');
    }
    this.linesMaker = this.linesMaker ?? (await this.modules.lines());
    const result = await this.linesMaker(
      model.info,
      job,
      texts ?? [],
      first ?? 0,
      sequences => this.predictSequences(id, sequences)
    );
    this.post({ type: 'predictedLines', id, result });
  }

  /** The model's output on every sequence, with progress and cancel between chunks. */
  private predictSequences(id: number, sequences: number[][]) {
    return predictByLength(
      this.requireModel(),
      sequences,
      PREDICT_CHUNK,
      async done => {
        await this.checkpoint(id);
        if (done > 0) {
          const total = sequences.length;
          this.post({ type: 'progress', id, stage: 'predict', done, total });
        }
      }
    );
  }

  private async explain(id: number, task: ExplainTask): Promise<void> {
    const explainer = await this.getExplainer();
    let result: ExplainResult;
    switch (task?.kind) {
      case 'whole':
        result = {
          kind: 'explanations',
          explanations: await explainer.explain(task.sequences, task.options, {
            parts: Math.max(1, Math.floor(task.parts ?? 1)),
            checkpoint: () => this.checkpoint(id),
            onProgress: p =>
              this.post({ type: 'progress', id, stage: 'explain', ...p })
          })
        };
        break;
      case 'units':
        result = {
          kind: 'partials',
          partials: await this.runUnits(id, explainer, task.units)
        };
        break;
      default:
        throw new Error(
          `Unknown explain task ${JSON.stringify((task as { kind?: unknown })?.kind)}`
        );
    }
    this.post({ type: 'explained', id, result });
  }

  /** Units of a planned round, one after another, with progress in work items. */
  private async runUnits(
    id: number,
    explainer: IExplainer,
    units: IExplainUnit[]
  ): Promise<IExplainPartial[]> {
    const total = units.reduce((n, u) => n + u.size, 0);
    const partials: IExplainPartial[] = [];
    let done = 0;
    for (const unit of units) {
      await this.checkpoint(id);
      partials.push(await explainer.run(unit));
      done += unit.size;
      this.post({ type: 'progress', id, stage: 'explain', done, total });
    }
    return partials;
  }

  private requireModel(): ILoadedModel {
    if (!this.model) {
      throw new Error('No model is loaded');
    }
    return this.model;
  }

  /** The explainer of the current model, its module imported on first use. */
  private async getExplainer(): Promise<IExplainer> {
    const current = this.requireModel();
    if (!this.explainer) {
      if (!this.modules.explainer) {
        throw new Error('This worker cannot compute explanations');
      }
      this.factory = this.factory ?? (await this.modules.explainer());
      this.explainer = this.factory(current);
    }
    return this.explainer;
  }

  /** Disposes the model and the explainer made for it. */
  private release(): void {
    this.explainer?.dispose();
    this.explainer = null;
    this.model?.dispose();
    this.model = null;
  }

  private model: ILoadedModel | null = null;
  private explainer: IExplainer | null = null;
  private loader: ModelLoader | null = null;
  private factory: ExplainerFactory | null = null;
  private linesMaker: LinesMaker | null = null;
}
