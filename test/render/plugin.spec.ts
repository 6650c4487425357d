/** @jest-environment jsdom */
import { Signal } from '@lumino/signaling';
import { PLUGIN_ID, settingsPlugin } from '../../src/render/settings-plugin';
import { charAttentionSettings } from '../../src/render/settings';
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
