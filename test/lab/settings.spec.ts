import * as fs from 'fs';
import * as path from 'path';
import { Signal } from '@lumino/signaling';
import {
  DEFAULT_LAB_SETTINGS,
  LAB_PLUGIN_ID,
  LabSettings,
  labSettingsOf,
  parseLabSettings,
  rememberModel
} from '../../src/lab/settings';

const schema = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../schema/lab.json'), 'utf8')
);

describe('lab settings', () => {
  it('schema defaults parse to the built-in defaults', () => {
    const defaults: { [key: string]: unknown } = {};
    for (const [key, property] of Object.entries<any>(schema.properties)) {
      defaults[key] = property.default;
    }
    const { settings, problems } = parseLabSettings(defaults);
    expect(problems).toEqual([]);
    expect(settings).toEqual({ ...DEFAULT_LAB_SETTINGS, lambdas: {} });
  });

  it('every setting has a title and a description for the Settings Editor', () => {
    for (const [key, property] of Object.entries<any>(schema.properties)) {
      expect([key, typeof property.title]).toEqual([key, 'string']);
      expect([key, typeof property.description]).toEqual([key, 'string']);
    }
    expect(Object.keys(schema.properties).sort()).toEqual(
      Object.keys(DEFAULT_LAB_SETTINGS).sort()
    );
  });

  it('reads user values', () => {
    const { settings, problems } = parseLabSettings({
      modelPath: ' models/weights.best.hdf5 ',
      tokenizerPath: 'models/tokenizer.json',
      attentionLayer: 'attention_vec',
      maxlen: 250,
      padding: 'post',
      truncating: 'post',
      backend: 'js',
      staticHtmlFallback: true,
      debounceMs: 100,
      lambdas: { lambda_1: 'sum(axis=1)' },
      explainMethod: 'integrated-gradients',
      workers: 3
    });
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      maxInputLength: 100000,
      maxLayers: 50000,
      maxNestingDepth: 32,
      modelPath: 'models/weights.best.hdf5',
      tokenizerPath: 'models/tokenizer.json',
      attentionLayer: 'attention_vec',
      maxlen: 250,
      padding: 'post',
      truncating: 'post',
      backend: 'js',
      staticHtmlFallback: true,
      debounceMs: 100,
      lambdas: { lambda_1: 'sum(axis=1)' },
      explainMethod: 'integrated-gradients',
      workers: 3
    });
  });

  it('workers: 0 is automatic; out-of-range values are named', () => {
    expect(parseLabSettings({}).settings.workers).toBe(0);
    const { settings, problems } = parseLabSettings({ workers: 12 });
    expect(settings.workers).toBe(0);
    expect(problems).toEqual([
      'workers must be an integer from 0 (automatic) to 8'
    ]);
  });

  it('maxlen 0 means the model input length', () => {
    expect(parseLabSettings({ maxlen: 0 }).settings.maxlen).toBeNull();
  });

  it('falls back per field and names each bad value', () => {
    const { settings, problems } = parseLabSettings({
      maxlen: -3,
      padding: 'middle',
      backend: 'webgl',
      staticHtmlFallback: 'yes',
      lambdas: { lambda_1: 3 },
      modelPath: 42,
      explainMethod: 'attention'
    });
    expect(settings).toEqual({ ...DEFAULT_LAB_SETTINGS, lambdas: {} });
    expect(problems).toEqual([
      'modelPath must be a string',
      'maxlen must be a positive integer (or 0 for the model input length)',
      'padding must be "pre" or "post"',
      'backend must be "wasm" or "js"',
      'staticHtmlFallback must be true or false',
      'explainMethod must be one of occlusion, grad-x-input, integrated-gradients',
      'lambdas.lambda_1 must be a string such as "sum(axis=1)"'
    ]);
  });

  it('LabSettings follows a settings object and signals changes', () => {
    const source = {
      composite: { padding: 'pre' } as { [key: string]: unknown },
      changed: new Signal<any, void>({})
    };
    const settings = new LabSettings();
    const seen: string[] = [];
    settings.changed.connect((_, current) => seen.push(current.padding));
    settings.follow(source);
    source.composite = { padding: 'post' };
    source.changed.emit();
    expect(settings.current.padding).toBe('post');
    expect(seen).toEqual(['pre', 'post']);
  });

  it('is read from the registry once, whoever asks', async () => {
    const source = {
      composite: { explainMethod: 'grad-x-input' } as {
        [key: string]: unknown;
      },
      changed: new Signal<any, void>({})
    };
    const registry = { load: jest.fn(async () => source) };
    const first = labSettingsOf(registry);
    const second = labSettingsOf(registry);
    expect(second.settings).toBe(first.settings);
    await Promise.all([first.ready, second.ready]);
    expect(registry.load).toHaveBeenCalledTimes(1);
    expect(registry.load).toHaveBeenCalledWith(LAB_PLUGIN_ID);
    expect(first.settings.current.explainMethod).toBe('grad-x-input');
  });
});

describe('remembering the model', () => {
  function registry() {
    const written: Array<[string, string, string]> = [];
    return {
      written,
      async set(plugin: string, key: string, value: string) {
        written.push([plugin, key, value]);
      }
    };
  }

  it('writes the model and tokenizer into the lab settings', async () => {
    const target = registry();
    const current = { ...DEFAULT_LAB_SETTINGS, lambdas: {} };
    expect(
      await rememberModel(target, current, 'models/m.h5', 'models/t.json')
    ).toBe(true);
    expect(target.written).toEqual([
      [LAB_PLUGIN_ID, 'modelPath', 'models/m.h5'],
      [LAB_PLUGIN_ID, 'tokenizerPath', 'models/t.json']
    ]);
  });

  it('writes nothing when the settings already say so, or without a model', async () => {
    const target = registry();
    const current = {
      ...DEFAULT_LAB_SETTINGS,
      lambdas: {},
      modelPath: 'models/m.h5',
      tokenizerPath: 'models/t.json'
    };
    expect(
      await rememberModel(target, current, 'models/m.h5', 'models/t.json')
    ).toBe(false);
    expect(await rememberModel(target, current, '', '')).toBe(false);
    expect(target.written).toEqual([]);
  });
});
