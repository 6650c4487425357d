import { normalizePayload } from '../../src/payload/normalize';
import { Payload } from '../../src/payload/types';
import { batchNotes, sampleHeader, sampleName } from '../../src/table/header';
import { buildTableModel } from '../../src/table/model';
import { ITranslate } from '../../src/table/translate';

const build = (payload: unknown) =>
  buildTableModel(normalizePayload(payload as Payload));

/** The meta of one sample of adaptive integrated gradients, as the explainer writes it. */
const ADAPTIVE_META = {
  method: 'integrated-gradients',
  steps: 64,
  gap: 0.0040581276,
  gapRelative: 0.004218790337651,
  tolerance: 0.01,
  rule: 'riemann-midpoint',
  converged: true,
  fInput: 0.9878539443016052,
  fBaseline: 0.02594815567135811,
  target: 0
};

describe('sample header', () => {
  it('shows the method, the rounded prediction and named, rounded facts', () => {
    const text = 'x'.repeat(250);
    const model = build({
      version: 1,
      samples: [
        {
          text,
          attention: Array.from(text, (_, i) => (i % 7) / 100 - 0.02),
          prediction: 0.9878539443016052,
          meta: ADAPTIVE_META
        }
      ]
    });
    const { header } = model.samples[0];
    expect(header.line).toBe(
      'Sample 1 · integrated gradients · prediction 0.988 · completeness gap 0.422% · steps 64 · target 0 · 250 characters'
    );
    expect(header.fields.map(field => field.kind)).toEqual([
      'title',
      'method',
      'prediction',
      'fact',
      'fact',
      'fact',
      'summary'
    ]);
    expect(header.notes).toEqual([]);
  });

  it('keeps every meta key at full precision in the tooltip, unknown keys only there', () => {
    const model = build({
      version: 1,
      text: 'ab',
      attention: [0.1, -0.2],
      prediction: 0.9878539443016052,
      meta: { ...ADAPTIVE_META, customKey: { deep: [1, 2] } }
    });
    const { header } = model.samples[0];
    expect(header.tooltip.split('\n')).toEqual([
      'prediction: 0.9878539443016052',
      'method: integrated-gradients',
      'steps: 64',
      'gap: 0.0040581276',
      'gapRelative: 0.004218790337651',
      'tolerance: 0.01',
      'rule: riemann-midpoint',
      'converged: true',
      'fInput: 0.9878539443016052',
      'fBaseline: 0.02594815567135811',
      'target: 0',
      'customKey: {"deep":[1,2]}'
    ]);
    expect(header.line).not.toMatch(/customKey|fInput|tolerance|rule|…/);
  });

  it('says when adaptive integrated gradients did not converge, and reads the Python key names', () => {
    const model = build({
      version: 1,
      text: 'ab',
      attention: [0.1, 0.2],
      meta: {
        method: 'integrated-gradients',
        steps: 2048,
        completenessGapRelative: 0.2891661766545141,
        converged: false
      }
    });
    expect(model.samples[0].header.line).toBe(
      'integrated gradients · completeness gap 28.9% · not converged · steps 2048 · 2 characters'
    );
  });

  it('shows a notice and what was inferred as notes, never only in the tooltip', () => {
    const model = build({
      version: 1,
      meta: { inferences: ['attention layer found: attention_vec'] },
      samples: [
        {
          text: 'ab',
          attention: [0.1, 0.2],
          meta: { notice: 'the text was cut to 2 characters' }
        }
      ]
    });
    expect(model.samples[0].header.notes).toEqual([
      'the text was cut to 2 characters'
    ]);
    expect(batchNotes(model.meta)).toEqual([
      'inferred: attention layer found: attention_vec'
    ]);
  });

  it('shows a sample without values as its text with its prediction and a note', () => {
    const model = build({
      version: 1,
      samples: [
        { text: 'abc', attention: [null, null, null], prediction: 0.25 }
      ]
    });
    const sample = model.samples[0];
    expect(sample.valueless).toBe(true);
    expect(sample.header.line).toBe(
      'Sample 1 · prediction 0.25 · 3 characters'
    );
    expect(sample.header.notes).toEqual([
      'No per-character values: only the prediction is shown.'
    ]);
    const withValues = build({ version: 1, text: 'ab', attention: [null, 0] });
    expect(withValues.samples[0].valueless).toBe(false);
  });

  it('writes a tiny completeness gap as < 0.01%', () => {
    const gap = (gapRelative: number) =>
      build({
        version: 1,
        text: 'a',
        attention: [1],
        meta: { gapRelative }
      }).samples[0].header.fields.find(field => field.key === 'gapRelative')!
        .value;
    expect(gap(0.0000213)).toBe('< 0.01%');
    expect(gap(0.0001)).toBe('0.01%');
    expect(gap(0)).toBe('0%');
  });

  it('lists at most four predictions and says how many there are', () => {
    const model = build({
      version: 1,
      text: 'a',
      attention: [1],
      prediction: [0.1, 0.2, 0.30001, 0.4, 0.5, 0.6]
    });
    expect(model.samples[0].header.line).toContain(
      'prediction 0.1, 0.2, 0.3, 0.4, … (6 values)'
    );
  });

  it('numbers samples from 1 and translates every word', () => {
    expect(sampleName(0)).toBe('Sample 1');
    const trans: ITranslate = {
      __: (text, ...args) =>
        '«' +
        text.replace(/%(\d)/g, (_, i) => String(args[Number(i) - 1])) +
        '»',
      _n: (one, many, n) =>
        '«' + (n === 1 ? one : many).replace('%1', String(n)) + '»'
    };
    const model = build({
      version: 1,
      samples: [
        {
          text: 'ab',
          attention: [0.1, 0.2],
          prediction: 0.5,
          meta: ADAPTIVE_META
        }
      ]
    });
    expect(sampleHeader(model.samples[0].source, trans).line).toBe(
      '«Sample 1» · «integrated gradients» · «prediction» 0.5 · «completeness gap» 0.422% · «steps» 64 · «target» 0 · «2 characters»'
    );
  });
});

describe('bidirectional controls in the header', () => {
  // The attack strings: each would reverse or reorder what the header shows.
  const RLO = '\u202e';
  const attacks = {
    title: `${RLO}evitagen`,
    label: `${RLO}evitagen`,
    method: `occlusion\u2067 (window 3)`,
    meta: {
      notice: `cut${RLO}txt.exe`,
      target: `\u2066x\u2069`,
      note: `${RLO}x`
    }
  };

  it('shows U+202E and the isolates as visible markers in every field', () => {
    const model = build({
      version: 1,
      samples: [
        {
          text: 'ab',
          attention: [0.1, 0.2],
          title: attacks.title,
          label: attacks.label,
          method: attacks.method,
          meta: attacks.meta
        }
      ]
    });
    const { header } = model.samples[0];
    expect(header.line).toBe(
      '<U+202E>evitagen · occlusion<U+2067> (window 3) · label <U+202E>evitagen · target <U+2066>x<U+2069> · 2 characters'
    );
    expect(header.notes).toEqual(['cut<U+202E>txt.exe']);
    expect(header.tooltip).toContain('note: <U+202E>x');
    const everything = [header.line, header.tooltip, ...header.notes].join('');
    expect(everything).not.toMatch(
      /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/
    );
  });
});
