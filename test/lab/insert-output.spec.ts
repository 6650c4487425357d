/** @jest-environment jsdom */

// The toolkit's React/web components ship as ES modules that this jest setup
// does not transform; the output model never uses them.
jest.mock('@jupyter/react-components', () => ({}));
jest.mock('@jupyter/web-components', () => ({
  provideJupyterDesignSystem: () => ({ register: () => undefined }),
  addJupyterLabThemeChangeListener: () => undefined,
  jpButton: () => undefined,
  jpToolbar: () => undefined
}));
import { OutputAreaModel } from '@jupyterlab/outputarea';
import {
  appendOutputOnce,
  buildDisplayOutput,
  computationKey,
  hasOutputWithKey,
  OUTPUT_METADATA_KEY,
  RunGuard,
  summarizePayload
} from '../../src/lab/insert-output';
import { MIME_TYPE } from '../../src/payload/types';
import type { IBatchPayload } from '../../src/payload/types';

const payload: IBatchPayload = {
  version: 1,
  samples: [
    {
      text: 'ab!',
      attention: [0.1, 0.7, 0.2],
      mask: [true, true, true],
      prediction: 0.93
    }
  ]
};

function existingOutputs() {
  return [
    { output_type: 'stream', name: 'stdout', text: 'the movie was great\n' },
    {
      output_type: 'execute_result',
      execution_count: 3,
      data: { 'text/plain': "'x'" },
      metadata: {}
    }
  ];
}

describe('buildDisplayOutput', () => {
  it('carries the payload, the HTML fragment and a text summary', () => {
    const output = buildDisplayOutput(payload, {
      html: '<table></table>',
      key: 'k1'
    });
    expect(output.output_type).toBe('display_data');
    expect(output.data[MIME_TYPE]).toBe(payload);
    expect(output.data['text/html']).toBe('<table></table>');
    expect(output.data['text/plain']).toBe(
      'Character attention: 1 sample\n  [0] 3 characters, peak 0.7 at "b" (position 1), prediction 0.93'
    );
    expect(output.metadata[OUTPUT_METADATA_KEY]).toEqual({ key: 'k1' });
  });

  it('omits text/html when no fragment is given', () => {
    const output = buildDisplayOutput(payload, { key: 'k' });
    expect(Object.keys(output.data).sort()).toEqual(
      [MIME_TYPE, 'text/plain'].sort()
    );
  });

  it('summarises masked, missing and series samples', () => {
    const text = summarizePayload({
      version: 1,
      samples: [
        {
          text: 'abc',
          attention: [0.9, null, 0.3],
          mask: [false, true, true],
          title: 'T'
        },
        {
          text: 'x',
          series: [{ name: 's', values: [0.5] }],
          prediction: [0.1, 0.9]
        }
      ]
    });
    expect(text).toBe(
      'Character attention: 2 samples\n' +
        '  [0] T: 3 characters, peak 0.3 at "c" (position 2)\n' +
        '  [1] 1 characters, peak 0.5 at "x" (position 0), prediction [0.1, 0.9]'
    );
  });
});

describe('appendOutputOnce with a real OutputAreaModel', () => {
  it('appends one output and leaves the earlier outputs unchanged', () => {
    const model = new OutputAreaModel({
      values: existingOutputs() as any,
      trusted: true
    });
    const before = JSON.stringify(model.toJSON());
    const output = buildDisplayOutput(payload, {
      html: '<b>t</b>',
      key: 'abc'
    });

    expect(appendOutputOnce(model, output)).toBe('added');
    expect(model.length).toBe(3);
    expect(JSON.stringify(model.toJSON().slice(0, 2))).toBe(
      JSON.stringify(JSON.parse(before))
    );
    const added = model.toJSON()[2] as any;
    expect(added.output_type).toBe('display_data');
    expect(added.data[MIME_TYPE]).toEqual(payload);
    expect(added.metadata[OUTPUT_METADATA_KEY]).toEqual({ key: 'abc' });
    expect(hasOutputWithKey(model, 'abc')).toBe(true);
  });

  it('refuses a second output with the same key', () => {
    const model = new OutputAreaModel({ values: existingOutputs() as any });
    const output = buildDisplayOutput(payload, { key: 'same' });
    expect(appendOutputOnce(model, output)).toBe('added');
    expect(appendOutputOnce(model, output)).toBe('duplicate');
    expect(model.length).toBe(3);
    expect(
      appendOutputOnce(model, buildDisplayOutput(payload, { key: 'other' }))
    ).toBe('added');
    expect(model.length).toBe(4);
  });

  it('recognises the key after a save/load round trip', () => {
    const model = new OutputAreaModel({ values: existingOutputs() as any });
    appendOutputOnce(model, buildDisplayOutput(payload, { key: 'kept' }));
    const reopened = new OutputAreaModel({
      values: JSON.parse(JSON.stringify(model.toJSON()))
    });
    expect(
      appendOutputOnce(reopened, buildDisplayOutput(payload, { key: 'kept' }))
    ).toBe('duplicate');
    expect(reopened.length).toBe(3);
  });
});

describe('RunGuard', () => {
  it('runs a task once while it is pending', async () => {
    const guard = new RunGuard();
    let release!: () => void;
    const gate = new Promise<void>(resolve => (release = resolve));
    let runs = 0;
    const task = async () => {
      runs++;
      await gate;
      return 'done';
    };
    const first = guard.run('cell-1', task);
    const second = guard.run('cell-1', task);
    const other = guard.run('cell-2', async () => 'other');
    expect(await second).toBeNull();
    expect(await other).toBe('other');
    release();
    expect(await first).toBe('done');
    expect(runs).toBe(1);
    expect(guard.isRunning('cell-1')).toBe(false);
    expect(await guard.run('cell-1', async () => 'again')).toBe('again');
  });

  it('releases the key when the task fails', async () => {
    const guard = new RunGuard();
    await expect(
      guard.run('k', async () => {
        throw new Error('boom');
      })
    ).rejects.toThrow('boom');
    expect(guard.isRunning('k')).toBe(false);
  });
});

describe('computationKey', () => {
  it('is stable and distinguishes inputs', () => {
    expect(computationKey({ a: 1, t: ['x'] })).toBe(
      computationKey({ a: 1, t: ['x'] })
    );
    expect(computationKey({ a: 1, t: ['x'] })).not.toBe(
      computationKey({ a: 1, t: ['y'] })
    );
  });
});
