/**
 * Right-click "Visualize Attention" on a notebook output: the texts it shows
 * (or the selected part) run through the current model, and the table is
 * added below them in the same cell; the outputs already there are never
 * touched. A run that lasts shows its progress, with Cancel, in that output
 * area. The model it used is remembered for the next pages (settings).
 */
import { Notification } from '@jupyterlab/apputils';
import { fragmentOrEmpty } from './actions';
import type { ILabContext } from './context';
import { basenameOf } from './export-path';
import {
  appendOutputOnce,
  buildDisplayOutput,
  computationKey
} from './insert-output';
import { ensureModel } from './model-loading';
import { defaultMethod } from './model-session';
import { OutputProgress } from './output-progress';
import { textsFromOutput } from './output-text';
import {
  contextMenuNode,
  findOutputTarget,
  OUTPUT_CHILD_CLASS,
  payloadOf,
  selectionInside
} from './targets';
import type { IOutputTarget } from './targets';
import { RequestCancelledError } from '../workers/client';
import { messageOf } from '../payload/error-message';

/** What a run ended with (for the messages after it). */
type RunResult = 'added' | 'duplicate' | 'no-model' | 'failed' | 'cancelled';

/** The command's body: the output under the context menu, visualized. */
export async function visualizeOutput(context: ILabContext): Promise<void> {
  const { app, guard, notebooks, trans } = context;
  const node = contextMenuNode(app, OUTPUT_CHILD_CLASS);
  const target = findOutputTarget(notebooks, node);
  if (!target) {
    Notification.warning(
      trans.__('Right-click a notebook output to visualize its attention.'),
      { autoClose: 5000 }
    );
    return;
  }
  const existing = payloadOf(target.output.data);
  if (existing) {
    context.openViewer().content.showPayload(existing);
    return;
  }
  const found = textsFromOutput(
    target.output.data,
    selectionInside(target.node),
    trans
  );
  if (!found.ok) {
    Notification.warning(trans.__('Nothing to visualize: %1', found.reason), {
      autoClose: 6000
    });
    return;
  }
  const result = await guard.run(
    `${target.cell.model.id}:${computationKey(found.texts)}`,
    () => Private.run(context, target, found.texts)
  );
  if (result === null) {
    Notification.info(
      trans.__('Attention for this output is already being computed.'),
      { autoClose: 3000 }
    );
  } else if (result === 'duplicate') {
    Notification.info(
      trans.__('This attention table is already in the cell.'),
      {
        autoClose: 3000
      }
    );
  } else if (result === 'cancelled') {
    Notification.info(
      trans.__('Visualize Attention was cancelled; the outputs are unchanged.'),
      { autoClose: 4000 }
    );
  }
}

namespace Private {
  /** Loads a model if needed, explains the texts and adds the table. */
  export async function run(
    context: ILabContext,
    target: IOutputTarget,
    texts: string[]
  ): Promise<RunResult> {
    const { session, settings, trans } = context;
    if (!(await ensureModel(context))) {
      return 'no-model';
    }
    void remember(context);
    const controller = new AbortController();
    const progress = new OutputProgress({
      host: target.cell.outputArea.node,
      trans,
      onCancel: () => controller.abort()
    });
    let prediction;
    try {
      // Attention when the model has it, else the method of the settings.
      prediction = await session.explain(
        texts,
        { method: defaultMethod(session.info, settings.current.explainMethod) },
        {
          signal: controller.signal,
          onProgress: ({ fraction, message }) =>
            progress.update(fraction, message)
        }
      );
    } catch (error) {
      if (error instanceof RequestCancelledError || controller.signal.aborted) {
        return 'cancelled';
      }
      Notification.error(
        trans.__('Could not visualize attention: %1', messageOf(error)),
        { autoClose: 8000 }
      );
      return 'failed';
    } finally {
      progress.dispose();
    }
    if (target.cell.isDisposed) {
      return 'failed';
    }
    const key = computationKey([session.modelPath, prediction.input, texts]);
    const output = buildDisplayOutput(prediction.payload, {
      key,
      html: fragmentOrEmpty(prediction.payload)
    });
    const appended = appendOutputOnce(target.cell.model.outputs, output);
    if (prediction.notices.length > 0) {
      // Truncated or unknown characters are masked in the table; say why.
      Notification.info(prediction.notices.join('\n'), { autoClose: 8000 });
    }
    return appended === 'duplicate' ? 'duplicate' : 'added';
  }

  /**
   * The model right-click used becomes the default model of the settings,
   * so the next page (JupyterLab or Notebook 7) uses it without asking; the
   * user is told where that is set.
   */
  export async function remember(context: ILabContext): Promise<void> {
    const { session, trans } = context;
    try {
      const changed = await context.rememberModel(
        session.modelPath,
        session.tokenizerPath
      );
      if (changed) {
        Notification.info(
          trans.__(
            'Visualize Attention will use %1 on other pages too (Settings → Character Attention: model runner → Default model).',
            basenameOf(session.modelPath)
          ),
          { autoClose: 6000 }
        );
      }
    } catch (error) {
      console.warn('Could not remember the model in the settings', error);
    }
  }
}
