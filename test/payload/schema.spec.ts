import Ajv from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { validatePayload } from '../../src/payload/validate';

const ROOT = path.join(__dirname, '..', '..');
const schema = JSON.parse(
  fs.readFileSync(
    path.join(ROOT, 'src', 'payload', 'char-attention.v1.schema.json'),
    'utf8'
  )
);
const ajv = new Ajv({ allErrors: true, strict: false });
const validateSchema = ajv.compile(schema);

const examples = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .filter(name => name.endsWith('.json') && !name.endsWith('.large.json'));

describe('payload v1 JSON Schema', () => {
  it('finds the examples', () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        'review-250.json',
        'batch.json',
        'multi-series.json'
      ])
    );
  });

  it.each(examples)('accepts examples/%s (schema and validator)', name => {
    const payload = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'examples', name), 'utf8')
    );
    const valid = validateSchema(payload);
    expect(validateSchema.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(validatePayload(payload).problems).toEqual([]);
  });

  it('accepts a sample that names its method', () => {
    const payload = {
      version: 1,
      samples: [
        { text: 'ab', attention: [0.5, -0.25], method: 'occlusion (window 1)' }
      ]
    };
    expect(validateSchema(payload)).toBe(true);
    expect(validatePayload(payload).problems).toEqual([]);
  });

  it('accepts the XSS fixture', () => {
    const payload = JSON.parse(
      fs.readFileSync(
        path.join(ROOT, 'test', 'table', 'fixtures', 'xss.json'),
        'utf8'
      )
    );
    expect(validateSchema(payload)).toBe(true);
    expect(validatePayload(payload).valid).toBe(true);
  });

  // Shape errors the schema can express are errors for the validator too.
  it.each([
    ['missing version', { tokens: ['a'], attention: [1] }],
    ['future version', { version: 2, tokens: ['a'], attention: [1] }],
    [
      'text and tokens',
      { version: 1, text: 'a', tokens: ['a'], attention: [1] }
    ],
    ['no values', { version: 1, text: 'a' }],
    ['string value', { version: 1, text: 'a', attention: ['1'] }],
    [
      'unknown colormap',
      { version: 1, text: 'a', attention: [1], options: { colormap: 'jet' } }
    ],
    ['unknown field', { version: 1, text: 'a', attention: [1], colour: 1 }],
    ['empty batch', { version: 1, samples: [] }],
    ['bad mask', { version: 1, text: 'a', attention: [1], mask: [1] }],
    ['bad series', { version: 1, text: 'a', series: [{ values: [1] }] }],
    [
      'bad charsPerRow',
      { version: 1, text: 'a', attention: [1], options: { charsPerRow: 0 } }
    ],
    ['long token', { version: 1, tokens: ['x'.repeat(1001)], attention: [1] }],
    [
      'method not a string',
      { version: 1, text: 'a', attention: [1], method: 3 }
    ]
  ])('schema and validator both reject: %s', (_, payload) => {
    expect(validateSchema(payload)).toBe(false);
    expect(validatePayload(payload).valid).toBe(false);
  });
});
