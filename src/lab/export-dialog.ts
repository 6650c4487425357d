/**
 * The questions of "Export Attention as HTML…" asked with JupyterLab's own
 * dialog components: the path (an input with the proposed one, the name
 * selected without its extension, as in "Save As"), and whether to replace
 * an existing file.
 */
import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { basenameOf } from './export-path';
import type { IExportDialogs } from './export-target';

/** The export dialogs made of JupyterLab's own dialog components. */
export function labExportDialogs(trans: TranslationBundle): IExportDialogs {
  return {
    askPath: async proposed => {
      const result = await InputDialog.getText({
        title: trans.__('Export Attention as HTML'),
        label: trans.__('File path'),
        text: proposed,
        // The name is selected without its extension, as in "Save As".
        selectionRange: proposed.length - '.html'.length,
        okLabel: trans.__('Export'),
        cancelLabel: trans.__('Cancel')
      });
      return result.button.accept ? result.value : null;
    },
    confirmOverwrite: async path => {
      const result = await showDialog({
        title: trans.__('Replace %1?', basenameOf(path)),
        body: trans.__(
          '"%1" already exists. Replace it with the exported table?',
          path
        ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({ label: trans.__('Replace') })
        ]
      });
      return result.button.accept;
    }
  };
}
