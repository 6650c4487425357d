/**
 * The harness itself: the installed extension is active in the real
 * JupyterLab, and `withLab` fails a test on an "Unsatisfied version" console
 * message (what the browser prints when the extension asks for a shared
 * package version the application does not provide).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeBrowser, openLab, withLab } from './support/lab.mjs';

after(closeBrowser);

test('the installed extension is active, and an "Unsatisfied version" message fails the test', async () => {
  await assert.rejects(
    withLab('harness', {}, async ({ page, lab }) => {
      await openLab(page, lab);
      const plugins = await page.evaluate(() =>
        [
          'jupyterlab-char-attention:plugin',
          'jupyterlab-char-attention:lab'
        ].map(id => window.jupyterapp.isPluginActivated(id))
      );
      assert.deepEqual(plugins, [true, true], 'plugins activated');
      await page.evaluate(() =>
        console.warn(
          'Unsatisfied version 0.0.1 from harness-test of shared singleton module @lumino/signaling (required ^9.0.0)'
        )
      );
    }),
    /unsatisfied versions/
  );
});
