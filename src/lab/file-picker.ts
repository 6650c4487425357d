/**
 * Choosing model and tokenizer files: a file dialog when the document
 * manager is available, else the file browser's selection.
 *
 * The file browsers are read through the factory's tracker (the default
 * browser is one of them), so nothing here needs a page to have a default
 * file browser.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { IDocumentManager } from '@jupyterlab/docmanager';
import { FileDialog } from '@jupyterlab/filebrowser';
import type { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { nullTranslator } from '@jupyterlab/translation';
import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import type { PickKind } from './context';
import { dirnameOf, joinPath } from './export-path';
import { isModelPath } from './model-files';

export interface IFilePickerOptions {
  docManager: IDocumentManager | null;
  translator: ITranslator | null;
  browserFactory: IFileBrowserFactory | null;
  trans: TranslationBundle;
}

/** A `pickFile` for the lab context. */
export function createFilePicker(
  options: IFilePickerOptions
): (kind: PickKind, near?: string) => Promise<string | null> {
  const { docManager, translator, browserFactory, trans } = options;
  return async (kind, near) => {
    if (!docManager) {
      const selected = Private.selectedPath(browserFactory);
      return selected || null;
    }
    const result = await FileDialog.getOpenFiles({
      manager: docManager,
      translator: translator ?? nullTranslator,
      defaultPath: near
        ? dirnameOf(near)
        : browserFactory?.tracker.currentWidget?.model.path,
      title:
        kind === 'model'
          ? trans.__('Choose a model (.h5, .keras or model.json)')
          : trans.__('Choose the tokenizer JSON'),
      filter: model =>
        model.type === 'directory' ||
        (kind === 'model'
          ? isModelPath(model.path)
          : /\.json$/i.test(model.path))
          ? {}
          : null
    });
    const file = result.button.accept
      ? result.value?.find(item => item.type !== 'directory')
      : null;
    return file ? file.path : null;
  };
}

/**
 * The file under the file browser's context menu (the right-clicked item,
 * which need not be the selected one), else the first selected file.
 */
export function browserPath(
  app: JupyterFrontEnd,
  factory: IFileBrowserFactory | null
): string {
  const item = app.contextMenuHitTest(node =>
    node.classList.contains('jp-DirListing-item')
  );
  const browser = factory?.tracker.currentWidget;
  const name = item?.querySelector('.jp-DirListing-itemText')?.textContent;
  if (item && browser && name) {
    return joinPath(browser.model.path, name);
  }
  return Private.selectedPath(factory);
}

namespace Private {
  export function selectedPath(factory: IFileBrowserFactory | null): string {
    const browser = factory?.tracker.currentWidget;
    if (!browser) {
      return '';
    }
    const first = browser.selectedItems().next();
    return first.done || !first.value ? '' : first.value.path;
  }
}
