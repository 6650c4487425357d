/** @jest-environment jsdom */
import { Signal } from '@lumino/signaling';
import { PLUGIN_ID, settingsPlugin } from '../../src/render/settings-plugin';
import { charAttentionSettings } from '../../src/render/settings';
import {
  DEFAULT_OPTIONS,
  IDisplaySettings,
  resolveOptions
} from '../../src/payload/normalize';
import * as fs from 'fs';
import * as path from 'path';

class FakeSettings {
  constructor(public composite: { [key: string]: unknown }) {}
  changed = new Signal<this, void>(this);
  set(values: { [key: string]: unknown }) {
    this.composite = { ...this.composite, ...values };
    this.changed.emit();
  }
}

describe('settings plugin', () => {
  afterEach(() => charAttentionSettings.update({}));

  it('has the id jupyterlab-char-attention:plugin and a matching schema file', () => {
    expect(settingsPlugin.id).toBe(PLUGIN_ID);
    const schema = JSON.parse(
      fs.readFileSync(
        path.join(__dirname, '..', '..', 'schema', 'plugin.json'),
        'utf8'
      )
    );
    expect(Object.keys(schema.properties).sort()).toEqual(
      [
        'charsPerRow',
        'colormap',
        'normalize',
        'precision',
        'showWhitespace'
      ].sort()
    );
    for (const key of Object.keys(schema.properties)) {
      expect(schema.properties[key].title).toBeTruthy();
      expect(schema.properties[key].description).toBeTruthy();
      expect(schema.properties[key].default).toBeDefined();
    }
  });

  it('schema defaults are the renderer defaults (0 characters per row: fit the width)', () => {
    const schema = JSON.parse(
      fs.readFileSync(
        path.join(__dirname, '..', '..', 'schema', 'plugin.json'),
        'utf8'
      )
    );
    const defaults: { [key: string]: unknown } = {};
    for (const [key, property] of Object.entries<any>(schema.properties)) {
      defaults[key] = property.default;
    }
    expect(defaults.charsPerRow).toBe(0);
    // Exports and the CLI cannot measure: they use the fixed default.
    const resolved = resolveOptions(undefined, defaults as IDisplaySettings);
    expect(resolved).toEqual(DEFAULT_OPTIONS);
    expect(resolved.charsPerRow).toBe(50);
  });

  it('pushes loaded and changed settings into the renderer settings store', async () => {
    const settings = new FakeSettings({
      colormap: 'viridis',
      charsPerRow: 40,
      normalize: 'none',
      showWhitespace: true,
      precision: 4
    });
    const registry = { load: jest.fn(async () => settings) };
    const plugin = settingsPlugin;
    const seen: unknown[] = [];
    const listener = (_: unknown, value: unknown) => seen.push(value);
    charAttentionSettings.changed.connect(listener);
    await plugin.activate({} as any, registry as any, null);
    expect(registry.load).toHaveBeenCalledWith(PLUGIN_ID);
    expect(charAttentionSettings.current).toEqual({
      colormap: 'viridis',
      charsPerRow: 40,
      normalize: 'none',
      showWhitespace: true,
      precision: 4
    });
    settings.set({ charsPerRow: 25, showWhitespace: false });
    expect(charAttentionSettings.current.charsPerRow).toBe(25);
    expect(charAttentionSettings.current.showWhitespace).toBe(false);
    expect(seen).toHaveLength(2);
    charAttentionSettings.changed.disconnect(listener);
  });

  it('works without a settings registry', async () => {
    const plugin = settingsPlugin;
    await expect(
      plugin.activate({} as any, null, null)
    ).resolves.toBeUndefined();
  });
});
