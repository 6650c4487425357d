/**
 * The README's layer table is generated from the layer registry: this fails
 * when they differ (fix: `npm run build:node && node scripts/layer-table.js`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { LAYER_FACTORIES } from '../../../src/model/layers/registry';
import {
  LAYER_NOTES,
  layerTable,
  TABLE_END,
  TABLE_START,
  withLayerTable
} from '../../../src/model/layers/table';

const README = path.resolve(__dirname, '../../../README.md');

describe('README layer table', () => {
  it('matches the table generated from the registry', () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(readme).toContain(TABLE_START);
    expect(readme).toContain(TABLE_END);
    expect(withLayerTable(readme)).toBe(readme);
  });

  it('lists every registered layer, each with a note entry', () => {
    const table = layerTable();
    for (const name of Object.keys(LAYER_FACTORIES)) {
      expect(table).toContain(`| \`${name}\``);
      expect(LAYER_NOTES).toHaveProperty(name);
    }
  });
});
