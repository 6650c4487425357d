/**
 * The README's "Limits and damaged files" table lists every cap with its
 * value and the setting or flag that changes it, as the code defines them.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  DEFAULT_MAX_INPUT_LENGTH,
  DEFAULT_MAX_LAYERS,
  DEFAULT_MAX_NESTING_DEPTH,
  FILE_LIMITS,
  formatBytes,
  formatCount
} from '../../src/model/limits';
import { LIMIT_SETTINGS } from '../../src/model/graph/config-size';
import { MAX_JSON_DEPTH } from '../../src/payload/json-text';
import { MAX_TOKENIZER_CHARS } from '../../src/text/tokenizer';
import { ROOT } from './support';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const table = readme.slice(
  readme.indexOf('## Limits and damaged files'),
  readme.indexOf('## Payload format')
);
const rows = table.split('\n').filter(line => line.startsWith('| '));

function row(label: string): string {
  const found = rows.find(r => r.includes(label));
  if (!found) {
    throw new Error(`no row '${label}' in the README's limits table`);
  }
  return found;
}

/** `8 MB` for 8 MiB: the README rounds as people write sizes. */
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

describe("the README's limits table", () => {
  it('lists the settings and flags of the structural caps', () => {
    expect(row('Input steps')).toContain(formatCount(DEFAULT_MAX_INPUT_LENGTH));
    expect(row('Input steps')).toContain('`maxInputLength`');
    expect(row('Input steps')).toContain('`--max-length N`');
    expect(row('`output_sequence_length`')).toContain('same');
    expect(row('Layers of a model')).toContain(formatCount(DEFAULT_MAX_LAYERS));
    expect(row('Layers of a model')).toContain(
      '`maxLayers`; CLI `--max-layers N`'
    );
    expect(row('Models nested')).toContain(
      `${DEFAULT_MAX_NESTING_DEPTH} levels`
    );
    expect(row('Models nested')).toContain(
      '`maxNestingDepth`; CLI `--max-nesting N`'
    );
    expect(LIMIT_SETTINGS.maxLayers).toBe(
      'the maxLayers setting / --max-layers'
    );
    expect(LIMIT_SETTINGS.maxNestingDepth).toBe(
      'the maxNestingDepth setting / --max-nesting'
    );
  });

  it('lists the fixed caps with their values', () => {
    expect(row('datasets declare')).toContain(
      `${FILE_LIMITS.HDF5_EXPANSION} × file size + 1 MB`
    );
    expect(row('datasets declare')).toContain(
      formatBytes(FILE_LIMITS.HDF5_DATA_BYTES)
    );
    expect(row('dataset reads and inflates')).toContain(
      `${FILE_LIMITS.HDF5_READ_MARGIN} × its declared size + 1 MB`
    );
    expect(row('One HDF5 attribute')).toContain(
      mb(FILE_LIMITS.HDF5_ATTRIBUTE_BYTES)
    );
    expect(row('`.keras` entry')).toContain(
      `config ${mb(FILE_LIMITS.ARCHIVE_JSON_BYTES)}`
    );
    expect(row('`.keras` entry')).toContain(
      `metadata ${mb(FILE_LIMITS.ARCHIVE_METADATA_BYTES)}`
    );
    expect(row('`.keras` entry')).toContain(
      `≤ ${FILE_LIMITS.ARCHIVE_EXPANSION} × compressed`
    );
    expect(row('Model config JSON')).toContain(
      mb(FILE_LIMITS.ARCHIVE_JSON_BYTES)
    );
    expect(row('weight shards')).toContain(
      `${FILE_LIMITS.MODEL_FILE_BYTES / 2 ** 30} GB`
    );
    expect(row('Tokenizer JSON')).toContain(mb(MAX_TOKENIZER_CHARS));
    expect(row('TextVectorization vocabulary')).toContain(
      formatCount(FILE_LIMITS.VOCABULARY_ENTRIES)
    );
    expect(row('JSON nesting')).toContain(
      `${formatCount(MAX_JSON_DEPTH)} levels`
    );
    expect(row('named on the command line')).toContain(
      `${FILE_LIMITS.INPUT_FILE_BYTES / 2 ** 30} GB`
    );
  });
});
