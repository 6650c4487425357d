/**
 * @jest-environment jsdom
 *
 * The lab's own messages go through the translation bundle it is given: a
 * bundle that marks every string it translates shows which messages reach
 * the user untranslated.
 */
import { ModelSession, SessionError } from '../../src/lab/model-session';
import { readModelFiles, readText } from '../../src/lab/model-files';
import type { IContentsLike } from '../../src/lab/model-files';
import { textsFromOutput } from '../../src/lab/output-text';
import { uniqueExportPath } from '../../src/lab/export-path';
import { payloadHtml } from '../../src/lab/export';
import { DEFAULT_LAB_SETTINGS } from '../../src/lab/settings';
import { WorkerPool } from '../../src/workers/pool';
import { ENGLISH, ITranslate } from '../../src/table/translate';

/** Translates by wrapping the English text in «». */
const MARKED: ITranslate = {
  __: (msgid, ...args) => `«${ENGLISH.__(msgid, ...args)}»`,
  _n: (singular, plural, n, ...args) =>
    `«${ENGLISH._n(singular, plural, n, ...args)}»`
};

/** A server where every file is missing. */
const EMPTY_SERVER: IContentsLike = {
  async get() {
    throw Object.assign(new Error('Not Found'), { response: { status: 404 } });
  }
};

describe('lab messages through the translator', () => {
  it('the model session translates its own errors', async () => {
    const session = new ModelSession({
      contents: EMPTY_SERVER,
      client: new WorkerPool({
        spawn: () => {
          throw new Error('no worker in this test');
        },
        size: 1
      }),
      settings: () => DEFAULT_LAB_SETTINGS,
      trans: MARKED
    });
    await expect(session.load('')).rejects.toThrow(
      new SessionError('«Choose a model file (.h5, .keras or model.json).»')
    );
    await expect(session.predict(['a'])).rejects.toThrow(
      '«No model is loaded yet.»'
    );
    await expect(session.load('m.h5')).rejects.toThrow(
      '«Cannot read m.h5: «file not found»»'
    );
    session.dispose();
  });

  it('reading model files names the file in the translated message', async () => {
    await expect(readText(EMPTY_SERVER, 't.json', MARKED)).rejects.toThrow(
      '«Cannot read t.json: «file not found»»'
    );
    const folder: IContentsLike = {
      async get() {
        return { type: 'directory', content: [] };
      }
    };
    await expect(
      readModelFiles(folder, 'x.h5', undefined, MARKED)
    ).rejects.toThrow('«x.h5 is a folder, not a file»');
  });

  it('the reasons an output has no text are translated', () => {
    expect(textsFromOutput({}, null, MARKED)).toEqual({
      ok: false,
      reason: '«The output is empty.»'
    });
    expect(textsFromOutput({ 'image/png': 'x' }, null, MARKED)).toEqual({
      ok: false,
      reason: '«The output has no text to visualize (it holds image/png).»'
    });
  });

  it('export errors are translated', async () => {
    await expect(
      uniqueExportPath('', 'run', async () => true, 2, MARKED)
    ).rejects.toThrow(
      '«No free file name for run.attention.html in «the root folder»»'
    );
    expect(() => payloadHtml({} as never, { trans: MARKED })).toThrow(
      /^«The table cannot be exported: /
    );
  });
});
