/**
 * JupyterLab dialogs the extension opens, answered as a user would.
 */
import assert from 'node:assert/strict';

/**
 * Waits for the "Export Attention as HTML" dialog, checks the path it
 * proposes, optionally types another one, and presses Export (or Cancel with
 * `cancel: true`). Returns the proposed path.
 */
export async function answerExportDialog(
  page,
  { proposed, path, cancel = false } = {}
) {
  const dialog = page.locator('.jp-Dialog', {
    hasText: 'Export Attention as HTML'
  });
  await dialog.waitFor({ timeout: 15000 });
  const input = dialog.locator('input');
  const shown = await input.inputValue();
  if (proposed !== undefined) {
    assert.equal(shown, proposed, 'the proposed export path');
  }
  if (path !== undefined) {
    await input.fill(path);
  }
  await dialog
    .locator(`.jp-Dialog-button.${cancel ? 'jp-mod-reject' : 'jp-mod-accept'}`)
    .click();
  await dialog.waitFor({ state: 'detached', timeout: 10000 });
  return shown;
}

/** Answers the "Replace …?" question of an export onto an existing file. */
export async function answerReplaceDialog(page, { replace }) {
  const dialog = page.locator('.jp-Dialog', { hasText: 'already exists' });
  await dialog.waitFor({ timeout: 15000 });
  await dialog
    .locator(`.jp-Dialog-button.${replace ? 'jp-mod-warn' : 'jp-mod-reject'}`)
    .click();
  await dialog.waitFor({ state: 'detached', timeout: 10000 });
}
