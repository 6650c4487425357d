/**
 * Loading a model for commands that need one, with progress shown as a
 * notification so the user stays where they are.
 */
import { Notification } from '@jupyterlab/apputils';
import { siblingTokenizer } from './actions';
import type { ILabContext } from './context';
import { basenameOf } from './export-path';
import { RequestCancelledError } from '../workers/client';
import { TokenizerNeededError } from './model-session';
import { messageOf } from '../payload/error-message';

/** Make sure a model is loaded: from settings, else by asking for the files. */
export async function ensureModel(context: ILabContext): Promise<boolean> {
  const { session, settings, trans } = context;
  if (session.isReady) {
    return true;
  }
  let modelPath = session.modelPath || settings.current.modelPath;
  let tokenizerPath = session.tokenizerPath || settings.current.tokenizerPath;
  if (!modelPath) {
    Notification.info(trans.__('Choose a model to visualize attention.'), {
      autoClose: 4000
    });
    modelPath = (await context.pickFile('model')) ?? '';
    if (!modelPath) {
      return false;
    }
  }
  if (!tokenizerPath) {
    tokenizerPath = (await siblingTokenizer(context.contents, modelPath)) ?? '';
  }
  // A .keras model may carry its own TextVectorization layer: try it alone.
  if (tokenizerPath || /\.keras$/i.test(modelPath)) {
    const loaded = await Private.loadWithNotification(
      context,
      modelPath,
      tokenizerPath
    );
    if (loaded !== 'needs-tokenizer') {
      return loaded;
    }
  }
  tokenizerPath = (await context.pickFile('tokenizer', modelPath)) ?? '';
  if (!tokenizerPath) {
    return false;
  }
  return (
    (await Private.loadWithNotification(context, modelPath, tokenizerPath)) ===
    true
  );
}

namespace Private {
  /** Load a model with a progress notification (the user stays where they are). */
  export async function loadWithNotification(
    context: ILabContext,
    modelPath: string,
    tokenizerPath: string
  ): Promise<boolean | 'needs-tokenizer'> {
    const { session, trans } = context;
    const id = Notification.emit(
      trans.__('Loading %1…', basenameOf(modelPath)),
      'in-progress',
      {
        autoClose: false,
        progress: 0,
        actions: [
          {
            label: trans.__('Cancel'),
            caption: trans.__('Stop loading the model'),
            callback: () => session.cancelLoad()
          }
        ]
      }
    );
    try {
      await session.load(modelPath, tokenizerPath, progress =>
        Notification.update({
          id,
          message: progress.message,
          progress: progress.fraction ?? undefined
        })
      );
      Notification.update({
        id,
        type: 'success',
        message: trans.__('Loaded %1', basenameOf(modelPath)),
        progress: undefined,
        actions: [],
        autoClose: 3000
      });
      return true;
    } catch (error) {
      if (error instanceof TokenizerNeededError) {
        Notification.update({
          id,
          type: 'info',
          message: error.message,
          progress: undefined,
          actions: [],
          autoClose: 5000
        });
        return 'needs-tokenizer';
      }
      const cancelled = error instanceof RequestCancelledError;
      Notification.update({
        id,
        type: cancelled ? 'info' : 'error',
        message: cancelled
          ? trans.__('Model loading was cancelled.')
          : trans.__('Could not load the model: %1', messageOf(error)),
        progress: undefined,
        actions: [],
        autoClose: cancelled ? 3000 : 10000
      });
      return false;
    }
  }
}
