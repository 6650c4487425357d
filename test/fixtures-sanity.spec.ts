/**
 * The real-Keras oracles of test/fixtures/keras/{gradients,variable_length,
 * faithfulness} are well-formed and agree with themselves: the files they name
 * exist, the inputs are the texts as the char Tokenizer + pad_sequences encode
 * them, Keras's integrated gradients are complete within 1% at 256 steps, the
 * faithfulness scores follow from the recorded deleted-variant f's, rankings
 * follow from the values, and Kendall tau-b follows from the values. No product
 * code is used: these checks guard the oracles themselves.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, 'fixtures', 'keras');
const K = [1, 5, 10, 20, 50];

function read(...parts: string[]): Buffer {
  return fs.readFileSync(path.join(ROOT, ...parts));
}

function json(...parts: string[]): any {
  return JSON.parse(read(...parts).toString('utf8'));
}

function jsonFiles(folder: string, skip: string[]): string[] {
  return fs
    .readdirSync(path.join(ROOT, folder))
    .filter(f => f.endsWith('.json') && !skip.includes(f))
    .sort();
}

/** Keras's char-level Tokenizer (lower=True, unknown characters dropped), then pad_sequences (pre, pre). */
function encoder(folder: string): (text: string, maxlen?: number) => number[] {
  const config = json(folder, 'tokenizer.json').config;
  const index: { [ch: string]: number } = JSON.parse(config.word_index);
  return (text, maxlen) => {
    const ids = Array.from(text.toLowerCase())
      .map(ch => index[ch])
      .filter(id => id !== undefined);
    if (maxlen === undefined) {
      return ids;
    }
    const cut = ids.slice(Math.max(0, ids.length - maxlen));
    return [...new Array(maxlen - cut.length).fill(0), ...cut];
  };
}

function close(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol);
}

function expectSavedFiles(
  folder: string,
  files: { [kind: string]: string }
): void {
  expect(Object.keys(files).length).toBeGreaterThan(0);
  for (const [kind, name] of Object.entries(files)) {
    const bytes = read(folder, name);
    const magic = kind === 'keras' ? 'PK' : '\x89HDF\r\n\x1a\n';
    expect(bytes.subarray(0, magic.length).toString('latin1')).toBe(magic);
  }
}

/** One gradient record: lengths, target rule, IG bookkeeping and Keras's completeness. */
function expectGradientRecord(s: any, length: number): void {
  expect(s.gradXInput).toHaveLength(length);
  const ig = s.integratedGradients;
  expect(ig.values).toHaveLength(length);
  const p: number[] = s.prediction;
  const target = p.length > 1 ? p.indexOf(Math.max(...p)) : 0;
  expect(s.target).toBe(target);
  close(ig.fInput, p[target], 1e-5);
  const sum = ig.values.reduce((a: number, b: number) => a + b, 0);
  close(ig.sum, sum, 1e-7 * Math.max(1, Math.abs(sum)));
  close(ig.gap, ig.sum - (ig.fInput - ig.fBaseline), 1e-8);
  const delta = Math.abs(ig.fInput - ig.fBaseline);
  close(
    ig.relativeGap,
    Math.abs(ig.gap) / delta,
    1e-6 * (ig.relativeGap + 1e-3)
  );
  expect(ig.relativeGap).toBeLessThanOrEqual(0.01);
}

function expectCompleteness(info: any, samples: any[]): void {
  const worst = Math.max(
    ...samples.map(s => s.integratedGradients.relativeGap)
  );
  close(info.completeness.worstRelativeGap, worst, 1e-9 * (worst + 1));
  expect(info.completeness.within1Percent).toBe(true);
  expect(info.integratedGradients.steps).toBe(256);
}

describe('gradient oracles (gradients/)', () => {
  const encode = encoder('gradients');
  const names = jsonFiles('gradients', ['tokenizer.json', 'tie-rules.json']);

  it('has every case', () => {
    expect(names.map(n => n.replace('.json', ''))).toEqual(
      [
        'attention',
        'attention_head',
        'attention_head_masked',
        'attention_mask_merged',
        'attention_masks',
        'attention_partial_mask',
        'bidirectional',
        'char_cnn',
        'cudnn_gru',
        'cudnn_lstm',
        'kinks',
        'lambdas',
        'masked_merges',
        'mha',
        'mha_config',
        'mha_masked',
        'nested_inner_embedding',
        'nested_outer_embedding',
        'norm_act',
        'norm_axes',
        'softmax_activation',
        'windowed_maxpool'
      ].sort()
    );
  });

  it.each(names)('%s: files, encoded inputs, IG bookkeeping', name => {
    const info = json('gradients', name);
    expectSavedFiles('gradients', info.files);
    expect(info.samples.length).toBeGreaterThanOrEqual(5);
    for (const s of info.samples) {
      expect(s.input).toEqual(encode(s.text, info.inputLength));
      expect(s.tokens).toBe(encode(s.text).length);
      expectGradientRecord(s, info.inputLength);
    }
    expectCompleteness(info, info.samples);
  });

  it('char_cnn: maxima really tie over padding and over repeated trigrams', () => {
    const info = json('gradients', 'char_cnn.json');
    let padding = 0;
    let text = 0;
    for (const s of info.samples) {
      const t = s.ties;
      t.maxima.forEach((m: number, c: number) => {
        expect(t.tiedAtPadding[c] + t.tiedInText[c]).toBeLessThanOrEqual(
          t.tiedCounts[c]
        );
        if (m > 0 && t.tiedAtPadding[c] >= 2) {
          padding++;
        }
        if (m > 0 && t.tiedInText[c] >= 2) {
          text++;
        }
      });
    }
    expect(padding).toBeGreaterThan(0);
    expect(text).toBeGreaterThan(0);
  });

  it('kinks: the texts hit every kink at character positions', () => {
    const info = json('gradients', 'kinks.json');
    const keys = [
      'maximumMinimumTies',
      'maximumTiesWithDifferentGradients',
      'reluAtZero',
      'reluClipAtBound',
      'relu6AtBound',
      'reluNoBiasAtZero'
    ];
    for (const key of keys) {
      const total = info.samples.reduce(
        (a: number, s: any) => a + s.ties[key].text,
        0
      );
      expect(total).toBeGreaterThan(0);
    }
    expect(info.lambdas).toEqual({
      lambda_max: 'max(axis=1)',
      lambda_min: 'min(axis=1)'
    });
  });

  it('tie-rules.json: gradients have the inputs’ shapes; reductions, pools and merges conserve the gradient', () => {
    const rules = json('gradients', 'tie-rules.json');
    const shape = (a: any): number[] =>
      Array.isArray(a) ? [a.length, ...shape(a[0])] : [];
    const flat = (a: any): number[] =>
      Array.isArray(a) ? a.flatMap(flat) : [a];
    const sum = (a: any) => flat(a).reduce((x, y) => x + y, 0);
    const conserving =
      /^(reduce_|keras\.ops\.max|GlobalMaxPooling1D|MaxPooling1D|maximum|minimum|Maximum|Minimum)/;
    expect(Object.keys(rules.probes).length).toBeGreaterThanOrEqual(20);
    for (const [name, probe] of Object.entries<any>(rules.probes)) {
      expect(typeof probe.rule).toBe('string');
      expect(probe.gradient.map(shape)).toEqual(probe.inputs.map(shape));
      if (conserving.test(name)) {
        // d(sum of outputs)/d(inputs) adds up to one per output element.
        close(
          probe.gradient.reduce((a: number, g: any) => a + sum(g), 0),
          flat(probe.output).length,
          1e-6
        );
      }
    }
  });
});

describe('variable-length oracle (variable_length/)', () => {
  const encode = encoder('variable_length');
  const info = json('variable_length', 'gru_variable.json');

  it('alone, padded together and with maxlen are the texts as Keras encodes them', () => {
    expectSavedFiles('variable_length', info.files);
    const longest = Math.max(
      ...info.texts.map((t: string) => encode(t).length)
    );
    expect(info.paddedTogether.maxlen).toBe(longest);
    info.texts.forEach((text: string, i: number) => {
      expect(info.alone[i].input).toEqual(encode(text));
      expectGradientRecord(info.alone[i], encode(text).length);
      expect(info.paddedTogether.inputs[i]).toEqual(encode(text, longest));
      expect(info.maxlen.inputs[i]).toEqual(encode(text, info.maxlen.maxlen));
    });
    expectCompleteness(info, info.alone);
  });

  it('padding moves the shorter texts, not the longest', () => {
    const alone = info.alone.map((s: any) => s.prediction[0]);
    const together: number[] = info.paddedTogether.predictions;
    const moved = together.map((p, i) => Math.abs(p - alone[i]));
    expect(Math.max(...moved)).toBeGreaterThan(0.01);
    const last = info.texts.length - 1;
    close(together[last], alone[last], 1e-6);
  });
});

/** Kendall tau-b by its definition (pairs, ties in either variable). */
function tauB(x: number[], y: number[]): number | null {
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const s = Math.sign(x[i] - x[j]) * Math.sign(y[i] - y[j]);
      concordant += s > 0 ? 1 : 0;
      discordant += s < 0 ? 1 : 0;
      tiesX += x[i] === x[j] ? 1 : 0;
      tiesY += y[i] === y[j] ? 1 : 0;
    }
  }
  const pairs = (x.length * (x.length - 1)) / 2;
  const denominator = Math.sqrt((pairs - tiesX) * (pairs - tiesY));
  return denominator > 0 ? (concordant - discordant) / denominator : null;
}

function expectDeletionScores(entry: any, f: number, n: number): void {
  expect(entry.bins.map((b: any) => b.k)).toEqual(K);
  for (const b of entry.bins) {
    expect(b.m).toBe(Math.max(1, Math.ceil((b.k * n) / 100)));
  }
  const mean = (key: string) =>
    entry.bins.reduce((a: number, b: any) => a + (f - b[key]), 0) / K.length;
  close(entry.comprehensiveness, mean('fWithoutTop'), 1e-8);
  close(entry.sufficiency, mean('fOnlyTop'), 1e-8);
}

describe('faithfulness oracles (faithfulness/)', () => {
  const encode = encoder('faithfulness');
  const models = ['faith_sigmoid', 'faith_softmax', 'one_char'];

  it.each(models)(
    '%s: positions, rankings, scores and tau-b follow from the values',
    name => {
      const info = json('faithfulness', `${name}.json`);
      expectSavedFiles('faithfulness', info.files);
      expect(info.K).toEqual(K);
      for (const s of info.samples) {
        expect(s.input).toEqual(encode(s.text, info.inputLength));
        const positions = s.input.flatMap((id: number, t: number) =>
          id !== 0 ? [t] : []
        );
        expect(s.positions).toEqual(positions);
        expect(s.n).toBe(positions.length);
        close(s.f, s.prediction[s.target], 1e-12);
        const methods = Object.keys(s.methods);
        expect(methods).toEqual([
          'occlusion',
          'grad-x-input',
          'integrated-gradients'
        ]);
        for (const m of methods) {
          const v: number[] = s.methods[m].values;
          const order = [...positions].sort((a, b) => v[b] - v[a] || a - b);
          expect(s.methods[m].ranking).toEqual(order);
          expectDeletionScores(s.methods[m], s.f, s.n);
        }
        methods.forEach((a, i) =>
          methods.slice(i + 1).forEach(b => {
            const tau = tauB(
              positions.map((t: number) => s.methods[a].values[t]),
              positions.map((t: number) => s.methods[b].values[t])
            );
            const recorded = s.agreement[`${a}~${b}`];
            if (tau === null) {
              expect(recorded).toBeNull();
            } else {
              close(recorded, tau, 1e-8);
            }
          })
        );
        for (const m of methods) {
          const own = positions.map((t: number) => s.methods[m].values[t]);
          const self = tauB(own, own);
          if (self !== null) {
            close(self, 1, 1e-12);
          }
        }
      }
    }
  );

  it('one_char: where one z decides, every method beats random rankings on comprehensiveness', () => {
    const info = json('faithfulness', 'one_char.json');
    let checked = 0;
    for (const s of info.samples) {
      for (const r of s.randomRankings) {
        expect([...r.ranking].sort((a, b) => a - b)).toEqual(s.positions);
        expectDeletionScores(r, s.f, s.n);
      }
      if (s.text.split('z').length !== 2 || s.n < 2) {
        continue;
      }
      const random =
        s.randomRankings.reduce(
          (a: number, r: any) => a + r.comprehensiveness,
          0
        ) / s.randomRankings.length;
      for (const m of Object.keys(s.methods)) {
        expect(s.methods[m].comprehensiveness).toBeGreaterThan(random);
        checked++;
      }
    }
    expect(checked).toBe(6);
  });
});

describe('labelled files (faithfulness/)', () => {
  const expected = json('faithfulness', 'labelled.expected.json');
  const encode = encoder('faithfulness');

  it('the CSV has a BOM and CRLF line ends; JSONL holds the same rows', () => {
    const csv = read('faithfulness', 'labelled.csv');
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain('text,label\r\n');
    const jsonl = read('faithfulness', 'labelled.jsonl')
      .toString('utf8')
      .split('\n')
      .filter(line => line)
      .map(line => JSON.parse(line));
    expect(jsonl).toEqual(
      expected.rows.map((r: any) => ({ text: r.text, label: r.label }))
    );
    expect(expected.rows).toHaveLength(40);
    expect(expected.rows.some((r: any) => r.text === '')).toBe(true);
  });

  it('predicted class, correct and loss follow from each prediction', () => {
    const clip = (p: number) => Math.min(Math.max(p, 1e-7), 1 - 1e-7);
    for (const r of expected.rows) {
      expect(r.input).toEqual(encode(r.text, expected.inputLength));
      const sig = r.sigmoid;
      expect(sig.predictedClass).toBe(sig.prediction > 0.5 ? 1 : 0);
      expect(sig.correct).toBe(sig.predictedClass === r.label);
      const q = clip(sig.prediction);
      close(
        sig.loss,
        -(r.label * Math.log(q) + (1 - r.label) * Math.log(1 - q)),
        1e-7
      );
      close(sig.kerasLoss, sig.loss, 1e-6);
      const classIndex = expected.classes.indexOf(r.className);
      expect(classIndex).toBeGreaterThanOrEqual(0);
      for (const [soft, label] of [
        [r.softmax, r.label],
        [r.softmaxByName, classIndex]
      ]) {
        const p: number[] = soft.probabilities;
        expect(soft.predictedClass).toBe(p.indexOf(Math.max(...p)));
        expect(soft.correct).toBe(soft.predictedClass === label);
        close(soft.loss, -Math.log(clip(p[label])), 1e-7);
        close(soft.kerasLoss, soft.loss, 1e-6);
      }
    }
  });

  it('each malformed file is named with the line of its problem', () => {
    const malformed = json('faithfulness', 'malformed.expected.json');
    expect(Object.keys(malformed.files).sort()).toEqual([
      'missing-text-column',
      'non-numeric-label',
      'unterminated-quote',
      'wrong-column-count'
    ]);
    for (const entry of Object.values<any>(malformed.files)) {
      expect(read('faithfulness', entry.file).length).toBeGreaterThan(0);
      expect(Number.isInteger(entry.problem.line)).toBe(true);
      expect(entry.problem.line).toBeGreaterThanOrEqual(1);
    }
  });
});
