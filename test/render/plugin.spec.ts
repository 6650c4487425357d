/** @jest-environment jsdom */
import './dom-polyfill';
import { Signal } from '@lumino/signaling';
import plugins, { PLUGIN_ID } from '../../src/index';
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

  it('is listed as jupyterlab-char-attention:plugin with a matching schema file', () => {
    expect(plugins.map(p => p.id)).toContain(PLUGIN_ID);
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
    const plugin = plugins.find(p => p.id === PLUGIN_ID)!;
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
    const plugin = plugins.find(p => p.id === PLUGIN_ID)!;
    await expect(
      plugin.activate({} as any, null, null)
    ).resolves.toBeUndefined();
  });
});
