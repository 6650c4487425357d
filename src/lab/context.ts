/**
 * The state shared by the pieces of the lab plugin, built once in
 * `activate` so each registration function takes a single typed argument.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ContentsManager } from './actions';
import type { RunGuard } from './insert-output';
import type { ModelSession } from './model-session';
import type { AttentionViewer } from './panel';
import type { LabSettings } from './settings';

/** Tracker of the Attention Viewer panels. */
export type ViewerTracker = WidgetTracker<MainAreaWidget<AttentionViewer>>;

/** What a file picker asks for. */
export type PickKind = 'model' | 'tokenizer';

export interface ILabContext {
  readonly app: JupyterFrontEnd;
  readonly notebooks: INotebookTracker;
  readonly rendermime: IRenderMimeRegistry;
  readonly contents: ContentsManager;
  readonly session: ModelSession;
  readonly settings: LabSettings;
  readonly trans: TranslationBundle;
  readonly viewers: ViewerTracker;
  /** Deduplicates concurrent "Visualize attention" runs on the same output. */
  readonly guard: RunGuard;
  /**
   * Table the hover toolbar was opened on; set by the toolbar before it runs
   * a command, so table commands prefer it over the context-menu node.
   */
  explicitTarget: HTMLElement | null;
  /** Ask the user for a model or tokenizer file (null when cancelled). */
  pickFile(kind: PickKind, near?: string): Promise<string | null>;
  /** The file right-clicked (or selected) in the file browser, or ''. */
  browserPath(): string;
  /** Reveal the Attention Viewer, creating it when needed. */
  openViewer(): MainAreaWidget<AttentionViewer>;
  /**
   * Make a model (and its tokenizer) the default model of the settings, so
   * other pages and apps use it; resolves to whether the settings changed.
   */
  rememberModel(modelPath: string, tokenizerPath: string): Promise<boolean>;
}
