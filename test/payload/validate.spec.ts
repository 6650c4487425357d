import { validatePayload, LIMITS } from '../../src/payload/validate';

function messages(payload: unknown): string[] {
  return validatePayload(payload).problems.map(p => p.message);
}

function paths(payload: unknown): string[] {
  return validatePayload(payload).problems.map(p => p.path);
}

const ok = {
  version: 1,
  tokens: ['a', 'b', 'c'],
  attention: [0.2, 0.3, 0.5]
};

describe('validatePayload', () => {
  it('accepts a minimal single sample, a text sample and a batch', () => {
    expect(validatePayload(ok)).toEqual({ valid: true, problems: [] });
    expect(
      validatePayload({ version: 1, text: 'a😀b', attention: [1, 2, null] })
        .valid
    ).toBe(true);
    expect(
      validatePayload({
        version: 1,
        samples: [
          { text: 'ab', attention: [0.5, 0.5], mask: [true, false] },
          {
            tokens: ['x'],
            series: [{ name: 'layer 1', values: [1] }],
            prediction: [0.1, 0.9],
            label: 3,
            title: 't',
            meta: { model: 'm', nested: { a: [1, 2] } }
          }
        ],
        options: {
          colormap: 'viridis',
          vmin: 0,
          vmax: 1,
          normalize: 'max',
          shareScale: false,
          charsPerRow: 20,
          precision: 3
        },
        title: 'batch'
      }).problems
    ).toEqual([]);
  });

  it('counts text in code points: an emoji is one token (R6, R7)', () => {
    expect(messages({ version: 1, text: '😀x', attention: [1, 2, 3] })).toEqual(
      ['attention has 3 values, text has 2 characters']
    );
  });

  it('names the path and both lengths on a length mismatch (R7)', () => {
    const sample = { tokens: ok.tokens, attention: ok.attention };
    const payload = {
      version: 1,
      samples: [
        sample,
        sample,
        {
          tokens: Array.from('abcdefghijklm'),
          attention: new Array(12).fill(0.1)
        }
      ]
    };
    expect(messages(payload)).toEqual([
      'samples[2].attention has 12 values, tokens has 13'
    ]);
    expect(paths(payload)).toEqual(['samples[2].attention']);
  });

  it('reports mask and series length mismatches', () => {
    expect(
      messages({
        version: 1,
        tokens: ['a', 'b'],
        series: [
          { name: 'one', values: [1, 2] },
          { name: 'two', values: [1] }
        ],
        mask: [true]
      })
    ).toEqual([
      'mask has 1 values, tokens has 2',
      'series[1].values has 1 values, tokens has 2'
    ]);
  });

  it('rejects non-objects at the root (R1)', () => {
    for (const [value, type] of [
      [null, 'null'],
      [[1], 'array'],
      ['{}', 'string'],
      [3, 'number'],
      [undefined, 'undefined']
    ] as Array<[unknown, string]>) {
      expect(messages(value)).toEqual([
        `payload must be a JSON object, got ${type}`
      ]);
    }
  });

  it('reports missing, wrong and future versions (R2)', () => {
    const { version, ...noVersion } = ok;
    void version;
    expect(messages(noVersion)).toEqual(['version is missing (expected 1)']);
    expect(messages({ ...ok, version: '1' })).toEqual([
      'version must be 1, got "1"'
    ]);
    // A future version stops validation: its fields may mean other things.
    expect(messages({ version: 2, whatever: true })).toEqual([
      'version 2 is newer than this renderer supports (1)'
    ]);
  });

  it('rejects NaN, Infinity and wrong value types with item paths (R8)', () => {
    const problems = validatePayload({
      version: 1,
      tokens: ['a', 'b', 'c', 'd', 'e'],
      attention: [NaN, Infinity, '0.1', true, [0.1]]
    }).problems;
    expect(problems.map(p => p.path)).toEqual([
      'attention[0]',
      'attention[1]',
      'attention[2]',
      'attention[3]',
      'attention[4]'
    ]);
    expect(problems.map(p => p.message)).toEqual([
      'attention[0] is NaN; use null for a missing value',
      'attention[1] is Infinity; use null for a missing value',
      'attention[2] must be a number or null, got string',
      'attention[3] must be a number or null, got boolean',
      'attention[4] must be a number or null, got array'
    ]);
  });

  it('summarises long runs of bad items (R15)', () => {
    const n = 1000;
    const problems = messages({
      version: 1,
      tokens: new Array(n).fill('a'),
      attention: new Array(n).fill('x')
    });
    expect(problems).toHaveLength(LIMITS.MAX_ITEM_PROBLEMS + 1);
    expect(problems[problems.length - 1]).toBe(
      `attention has ${n - LIMITS.MAX_ITEM_PROBLEMS} more invalid values`
    );
  });

  it('caps the total number of problems (R15)', () => {
    const samples = new Array(500).fill({ tokens: 'no', attention: 'no' });
    const problems = messages({ version: 1, samples });
    expect(problems).toHaveLength(LIMITS.MAX_PROBLEMS + 1);
    expect(problems[problems.length - 1]).toMatch(/stopped after 200/);
  });

  it('requires exactly one of text/tokens and attention/series (R5)', () => {
    expect(messages({ version: 1, attention: [] })).toEqual([
      'payload needs text or tokens'
    ]);
    expect(
      messages({ version: 1, text: 'a', tokens: ['a'], attention: [1] })
    ).toEqual(['payload has both text and tokens (give one)']);
    expect(messages({ version: 1, samples: [{ text: 'a' }] })).toEqual([
      'samples[0] needs attention or series'
    ]);
    // A prediction-only sample (a model without attention run by predict).
    expect(
      messages({
        version: 1,
        samples: [{ text: 'ab', mask: [true, false], prediction: [0.2, 0.8] }]
      })
    ).toEqual([]);
    expect(messages({ version: 1, text: 'ab', prediction: 0.5 })).toEqual([]);
    expect(
      messages({
        version: 1,
        text: 'a',
        attention: [1],
        series: [{ name: 'x', values: [1] }]
      })
    ).toEqual(['payload has both attention and series (give one)']);
  });

  it('rejects unknown fields, but allows anything in meta (R4, R14)', () => {
    expect(
      messages({
        ...ok,
        attentions: [1],
        options: { colour: 'red' },
        meta: { anything: { goes: [1, 'two', null] } }
      })
    ).toEqual([
      'options.colour is not a known field',
      'attentions is not a known field'
    ]);
  });

  it('checks options (R12)', () => {
    expect(
      messages({
        ...ok,
        options: {
          colormap: 'Jet',
          vmin: 2,
          vmax: 1,
          normalize: 'zscore',
          shareScale: 'yes',
          charsPerRow: 0,
          precision: 2.5
        }
      })
    ).toEqual([
      'options.colormap "Jet" is not known; use one of Reds, Blues, Greens, Greys, Oranges, Purples, viridis, magma, RdBu',
      'options.vmin (2) must be less than options.vmax (1)',
      'options.normalize "zscore" is not known; use one of none, minmax, max',
      'options.shareScale must be a boolean, got string',
      'options.charsPerRow must be an integer from 1 to 1000, got 0',
      'options.precision must be an integer from 0 to 17, got 2.5'
    ]);
    expect(messages({ ...ok, options: { vmax: NaN } })).toEqual([
      'options.vmax must be a finite number, got NaN'
    ]);
  });

  it('rejects negative values with a named sequential map unless vmin or normalize is set (R13)', () => {
    const signed = { version: 1, tokens: ['a', 'b'], attention: [-0.3, 0.5] };
    // Without a colormap, signed values get RdBu automatically.
    expect(messages(signed)).toEqual([]);
    expect(messages({ ...signed, options: { colormap: 'Reds' } })).toEqual([
      'attention has negative values (min -0.3) but colormap Reds is sequential; use colormap RdBu, set options.vmin, or set options.normalize'
    ]);
    expect(
      messages({ ...signed, options: { colormap: 'viridis' } })[0]
    ).toMatch(/colormap viridis is sequential/);
    expect(messages({ ...signed, options: { colormap: 'RdBu' } })).toEqual([]);
    expect(messages({ ...signed, options: { vmin: -1 } })).toEqual([]);
    expect(messages({ ...signed, options: { normalize: 'minmax' } })).toEqual(
      []
    );
    expect(
      messages({ ...signed, options: { colormap: 'Reds', normalize: 'none' } })
    ).toHaveLength(1);
    // Masked positions are excluded from the colour scale, so their sign is free.
    expect(
      messages({
        ...signed,
        mask: [false, true],
        options: { colormap: 'Reds' }
      })
    ).toEqual([]);
  });

  it('takes a method name as a string only (R10, R11)', () => {
    expect(
      messages({ ...ok, method: 'integrated gradients (32 steps)' })
    ).toEqual([]);
    expect(
      paths({
        version: 1,
        samples: [{ tokens: ok.tokens, attention: ok.attention, method: 1 }]
      })
    ).toEqual(['samples[0].method']);
    expect(messages({ ...ok, method: 'x'.repeat(10001) })).toEqual([
      'method is 10001 characters long (at most 10000)'
    ]);
  });

  it('limits megabyte strings (R6, R11)', () => {
    const huge = 'x'.repeat(1024 * 1024);
    expect(
      messages({
        version: 1,
        tokens: ['a', huge],
        attention: [1, 2],
        title: huge,
        label: huge
      })
    ).toEqual([
      'tokens[1] is 1048576 characters long (a token has at most 1000)',
      'label is 1048576 characters long (at most 10000)',
      'title is 1048576 characters long (at most 10000)'
    ]);
    // A long text is legitimate: one token per character (up to the cap).
    const long = huge.slice(0, 1000000);
    expect(
      messages({
        version: 1,
        text: long,
        attention: new Array(long.length).fill(0)
      })
    ).toEqual([]);
  });

  it('survives deeply nested junk without a stack overflow (R14)', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100000; i++) {
      deep = [deep];
    }
    expect(messages({ ...ok, meta: { deep } })).toEqual([
      'meta is nested more than 16 levels deep (at meta.deep[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0])'
    ]);
    expect(messages({ ...ok, attention: deep })).toEqual([
      'attention has 1 values, tokens has 3',
      'attention[0] must be a number or null, got array'
    ]);
    expect(messages({ ...ok, meta: [1] })).toEqual([
      'meta must be an object, got array'
    ]);
  });

  it('checks prediction, label, mask types (R9, R10)', () => {
    expect(
      messages({
        ...ok,
        prediction: [0.1, 'x'],
        label: { a: 1 },
        mask: [true, 1, false]
      })
    ).toEqual([
      'mask[1] must be true or false, got number',
      'prediction[1] must be a finite number, got string',
      'label must be a string, number or boolean, got object'
    ]);
    expect(messages({ ...ok, prediction: [] })).toEqual([
      'prediction has 0 values (1 to 1000 expected)'
    ]);
  });

  it('checks batches (R3)', () => {
    expect(messages({ version: 1, samples: [] })).toEqual([
      'samples is empty (at least one sample is needed)'
    ]);
    expect(messages({ version: 1, samples: {} })).toEqual([
      'samples must be an array, got object'
    ]);
    expect(messages({ version: 1, samples: [ok] })).toEqual([
      'samples[0].version is not a known field'
    ]);
  });

  it('never throws, even on hostile objects', () => {
    const hostile = {
      version: 1,
      get tokens(): string[] {
        throw new Error('boom');
      },
      attention: [1]
    };
    const result = validatePayload(hostile);
    expect(result.valid).toBe(false);
    expect(result.problems[0].message).toMatch(/could not be checked: boom/);
  });
});
