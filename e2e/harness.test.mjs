/**
 * The harness itself: the installed extension is active in the real
 * JupyterLab; `withLab` fails a test on an "Unsatisfied version" console
 * message (what the browser prints when the extension asks for a shared
 * package version the application does not provide) and on every kind of
 * error of every page it opens, in JupyterLab and Notebook 7 alike; and the
 * pages of Notebook 7 load without any error from the extension.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { copyDemoModel } from './support/demo.mjs';
import {
  closeBrowser,
  notebookWith,
  openLab,
  waitForApp,
  withLab
} from './support/lab.mjs';

after(closeBrowser);

const PLUGINS = [
  'jupyterlab-char-attention:plugin',
  'jupyterlab-char-attention:lab'
];

test('the installed extension is active, and an "Unsatisfied version" message fails the test', async () => {
  await assert.rejects(
    withLab('harness', {}, async ({ page, lab }) => {
      await openLab(page, lab);
      const plugins = await page.evaluate(
        ids => ids.map(id => window.jupyterapp.isPluginActivated(id)),
        PLUGINS
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

/** Every kind of error a page can show; each one alone must fail a test. */
const INJECTED = [
  'harness: console.error',
  'harness: uncaught exception',
  'harness: unhandled rejection',
  'harness: console.error in a second page',
  'harness: console.error in a worker',
  'harness: uncaught exception in a worker',
  'harness: unhandled rejection in a worker'
];

for (const app of ['lab', 'notebook']) {
  test(`${app}: withLab fails on errors of any page, frame or worker it opened`, async () => {
    let failure;
    try {
      await withLab(`harness-errors-${app}`, { app }, async ({ page, lab }) => {
        await openLab(page, lab);
        await page.evaluate(messages => {
          console.error(messages[0]);
          setTimeout(() => {
            throw new Error(messages[1]);
          });
          void Promise.reject(new Error(messages[2]));
          const worker = source =>
            new Worker(URL.createObjectURL(new Blob([source])));
          worker(`console.error(${JSON.stringify(messages[4])});`);
          worker(`throw new Error(${JSON.stringify(messages[5])});`);
          worker(`Promise.reject(new Error(${JSON.stringify(messages[6])}));`);
        }, INJECTED);
        // A page opened later (a new tab) is watched too.
        const second = await page.context().newPage();
        await second.goto(`${lab.url}/api/status?token=${lab.token}`);
        await second.evaluate(message => console.error(message), INJECTED[3]);
        await page.waitForTimeout(1000);
      });
    } catch (error) {
      failure = error;
    }
    assert.ok(failure, 'the injected errors fail the test');
    const reported = JSON.stringify(failure.actual ?? failure.message);
    for (const message of INJECTED) {
      assert.ok(
        reported.includes(message),
        `"${message}" is reported: ${reported}`
      );
    }
  });
}

test('Notebook 7: its pages load without errors from the extension', async () => {
  const files = {
    'a.ipynb': notebookWith([{ source: 'print(1)' }]),
    'sub/b.ipynb': notebookWith([{ source: '' }])
  };
  await withLab(
    'harness-nb7-pages',
    { app: 'notebook', files },
    async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      for (const where of [
        '/tree',
        '/tree/models/demo',
        '/notebooks/a.ipynb',
        '/edit/models/demo/tokenizer.json',
        '/tree/sub',
        '/notebooks/sub/b.ipynb',
        '/tree'
      ]) {
        await page.goto(`${lab.url}${where}?token=${lab.token}`);
        await waitForApp(page);
        const plugins = await page.evaluate(
          ids => ids.map(id => window.jupyterapp.isPluginActivated(id)),
          PLUGINS
        );
        assert.deepEqual(plugins, [true, true], `plugins active on ${where}`);
        // Restoration and routing finish after `restored`.
        await page.waitForTimeout(2000);
      }
    }
  );
});
