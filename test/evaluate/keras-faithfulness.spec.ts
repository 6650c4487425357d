/**
 * Faithfulness and agreement against real Keras (test/fixtures/keras/
 * faithfulness, made by scripts/keras_fixtures/faithfulness.py): the
 * fixture's rankings fed to our deletion sets and scores with our own
 * forward pass, compared with Keras's f of every variant and its scores
 * (<= 1e-5); our rankings and bins from the fixture's values; tau-b against
 * SciPy (<= 1e-9); on the model where one character decides, the method's
 * ranking beats random rankings (fast-check); and the whole evaluation of
 * the fixture texts through the worker pool and the text pipeline: the
 * methods' values against Keras's (integrated gradients with 256 fixed
 * steps, the fixture's midpoint rule), their meta, and Keras's scores
 * where the rankings agree.
 */
import * as fc from 'fast-check';
import { evaluateRows } from '../../src/evaluate/evaluate-rows';
import {
  AOPC_BINS,
  binSizes,
  deletionSet,
  faithfulnessScores,
  rankPositions
} from '../../src/evaluate/faithfulness';
import { kendallTauB } from '../../src/evaluate/kendall';
import { poolBackend } from '../../src/evaluate/model-adapter';
import { createExplainer } from '../../src/explain';
import { ILoadedModel, loadModel } from '../../src/model/engine';
import { createTextPipeline } from '../../src/text/pipeline';
import { parseTokenizer } from '../../src/text/tokenizer';
import { WorkerPool } from '../../src/workers/pool';
import { channelWorkers } from '../lab/support/channel-worker';
import { fixture, fixtureJson } from '../model/helpers';

interface IBin {
  k: number;
  m: number;
  fWithoutTop: number;
  fOnlyTop: number;
}

interface IRanked {
  ranking: number[];
  bins: IBin[];
  comprehensiveness: number;
  sufficiency: number;
}

interface IMethodResult extends IRanked {
  values: number[];
}

interface ISample {
  text: string;
  input: number[];
  n: number;
  positions: number[];
  prediction: number[];
  target: number;
  f: number;
  methods: { [method: string]: IMethodResult };
  agreement: { [pair: string]: number | null };
  randomRankings?: IRanked[];
}

interface IOracle {
  K: number[];
  samples: ISample[];
}

const MODELS = ['faith_sigmoid', 'faith_softmax', 'one_char'];

const oracle = (name: string): IOracle =>
  fixtureJson('keras', 'faithfulness', `${name}.json`);

const models = new Map<string, ILoadedModel>();
async function model(name: string): Promise<ILoadedModel> {
  let loaded = models.get(name);
  if (!loaded) {
    const file = `${name}.keras`;
    loaded = await loadModel({
      [file]: fixture('keras', 'faithfulness', file)
    });
    models.set(name, loaded);
  }
  return loaded;
}

/** Our scores of a ranking with our forward pass, and each variant's f. */
async function score(loaded: ILoadedModel, sample: ISample, ranking: number[]) {
  const set = deletionSet(sample.input, ranking);
  const outputs = await loaded.forward([
    sample.input,
    ...set.comprehensiveness,
    ...set.sufficiency
  ]);
  const f = outputs.map(o => o[sample.target]);
  const bins = set.sizes.length;
  return {
    set,
    f0: f[0],
    without: f.slice(1, 1 + bins),
    only: f.slice(1 + bins),
    scores: faithfulnessScores(f[0], f.slice(1, 1 + bins), f.slice(1 + bins))!
  };
}

function expectScores(
  ours: Awaited<ReturnType<typeof score>>,
  keras: IRanked
): void {
  expect(ours.set.sizes).toEqual(keras.bins.map(b => b.m));
  keras.bins.forEach((bin, i) => {
    expect(Math.abs(ours.without[i] - bin.fWithoutTop)).toBeLessThanOrEqual(
      1e-5
    );
    expect(Math.abs(ours.only[i] - bin.fOnlyTop)).toBeLessThanOrEqual(1e-5);
  });
  expect(
    Math.abs(ours.scores.comprehensiveness - keras.comprehensiveness)
  ).toBeLessThanOrEqual(1e-5);
  expect(
    Math.abs(ours.scores.sufficiency - keras.sufficiency)
  ).toBeLessThanOrEqual(1e-5);
}

describe.each(MODELS)(
  '%s: faithfulness with Keras rankings, our forward pass',
  name => {
    const data = oracle(name);

    it('uses the bins K = 1, 5, 10, 20, 50 %', () => {
      expect(data.K).toEqual([...AOPC_BINS]);
    });

    it.each(data.samples.map(s => [s.text, s] as const))(
      '"%s": f, every variant f, comprehensiveness and sufficiency within 1e-5 of Keras',
      async (_, sample) => {
        const loaded = await model(name);
        for (const method of Object.keys(sample.methods)) {
          const keras = sample.methods[method];
          // Our ranking and bins from the same values.
          expect(rankPositions(keras.values, sample.positions)).toEqual(
            keras.ranking
          );
          expect(binSizes(sample.n)).toEqual(keras.bins.map(b => b.m));
          const ours = await score(loaded, sample, keras.ranking);
          expect(Math.abs(ours.f0 - sample.f)).toBeLessThanOrEqual(1e-5);
          expectScores(ours, keras);
        }
        for (const random of sample.randomRankings ?? []) {
          expectScores(await score(loaded, sample, random.ranking), random);
        }
      }
    );

    it('tau-b of every pair of methods equals SciPy within 1e-9', () => {
      let compared = 0;
      for (const sample of data.samples) {
        for (const [pair, expected] of Object.entries(sample.agreement)) {
          const [a, b] = pair.split('~');
          const x = sample.positions.map(p => sample.methods[a].values[p]);
          const y = sample.positions.map(p => sample.methods[b].values[p]);
          const tau = kendallTauB(x, y);
          if (expected === null) {
            expect(tau).toBeNull();
          } else {
            expect(Math.abs(tau! - expected)).toBeLessThanOrEqual(1e-9);
            compared++;
          }
          expect(kendallTauB(x, x) ?? 1).toBe(1);
        }
      }
      expect(compared).toBeGreaterThan(5);
    });
  }
);

describe('one character decides', () => {
  const data = oracle('one_char');
  const single = data.samples.filter(
    s => s.n >= 2 && Array.from(s.text).filter(c => c === 'z').length === 1
  );

  it('the methods rank the one z first and beat every random ranking (fast-check)', async () => {
    expect(single.length).toBeGreaterThanOrEqual(2);
    const loaded = await model('one_char');
    const explainer = createExplainer(loaded);
    for (const sample of single) {
      // Our own occlusion values, not the fixture's.
      const [{ values }] = await explainer.explain([sample.input], {
        method: 'occlusion'
      });
      const ranking = rankPositions(values, sample.positions);
      // The one 'z' (id 24) comes first.
      expect(ranking[0]).toBe(sample.input.indexOf(24));
      const best = (await score(loaded, sample, ranking)).scores;
      expect(best.comprehensiveness).toBeCloseTo(0.8808 - 0.1192, 3);
      const randoms: number[] = [];
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray(sample.positions, {
            minLength: sample.positions.length,
            maxLength: sample.positions.length
          }),
          async random => {
            const other = (await score(loaded, sample, random)).scores;
            randoms.push(other.comprehensiveness);
            return other.comprehensiveness <= best.comprehensiveness + 1e-6;
          }
        ),
        { numRuns: 40, seed: 7 }
      );
      const mean = randoms.reduce((a, b) => a + b, 0) / randoms.length;
      expect(best.comprehensiveness).toBeGreaterThan(mean);
    }
    explainer.dispose();
  });
});

describe('evaluation of the fixture texts through the worker pool', () => {
  /** Keras's values at the positions the model sees, against ours per character. */
  function expectValues(
    ours: Array<number | null>,
    keras: number[],
    positions: number[],
    tolerance: number
  ): void {
    const seen = ours.filter(v => v !== null) as number[];
    expect(seen).toHaveLength(positions.length);
    positions.forEach((p, j) =>
      expect(Math.abs(seen[j] - keras[p])).toBeLessThanOrEqual(tolerance)
    );
  }

  it.each([
    ['faith_sigmoid', ['occlusion', 'grad-x-input', 'integrated-gradients']],
    ['faith_softmax', ['occlusion', 'grad-x-input', 'integrated-gradients']]
  ] as const)(
    '%s with %j: Keras values (integrated gradients at 256 fixed steps), their meta, and Keras scores where the rankings agree',
    async (name, methods) => {
      const data = oracle(name);
      const factory = channelWorkers({
        engine: async () => loadModel,
        explainer: async () => createExplainer
      });
      const pool = new WorkerPool({ spawn: factory.spawn, size: 2, idleMs: 0 });
      try {
        const file = `${name}.keras`;
        const info = await pool.load({
          [file]: fixture('keras', 'faithfulness', file)
        });
        const tokenizer = fixture('keras', 'faithfulness', 'tokenizer.json');
        const pipeline = createTextPipeline(info, {
          kind: 'tokenizer',
          tokenizer: parseTokenizer(Buffer.from(tokenizer).toString('utf8')),
          name: 'tokenizer.json'
        });
        expect(pipeline.maxlen).toBe(24);
        const backend = poolBackend(pool, pipeline);
        const rows = data.samples.map((s, index) => ({
          index,
          line: index + 1,
          text: s.text,
          label: null
        }));
        const { rows: evaluated } = await evaluateRows(rows, backend, {
          // The fixture's integrated gradients: 256 steps of the midpoint rule.
          methods: methods.map(method =>
            method === 'integrated-gradients'
              ? { method, steps: 256 }
              : { method }
          ),
          classes: null,
          target: null
        });
        let sameRanking = 0;
        evaluated.forEach(({ row }, i) => {
          const sample = data.samples[i];
          expect(Math.abs(row.prediction - sample.f)).toBeLessThanOrEqual(1e-5);
          for (const method of methods) {
            const keras = sample.methods[method];
            const ours = row.explanations[method];
            expectValues(ours.values, keras.values, sample.positions, 1e-4);
            const seen = ours.values.filter(v => v !== null) as number[];
            const ourRanking = rankPositions(
              Object.fromEntries(
                sample.positions.map((p, j) => [p, seen[j]])
              ) as never,
              sample.positions
            );
            if (
              ourRanking.join() === keras.ranking.join() &&
              ours.comprehensiveness !== null
            ) {
              sameRanking++;
              expect(
                Math.abs(ours.comprehensiveness - keras.comprehensiveness)
              ).toBeLessThanOrEqual(1e-5);
              expect(
                Math.abs(ours.sufficiency! - keras.sufficiency)
              ).toBeLessThanOrEqual(1e-5);
            }
          }
          const ig = row.explanations['integrated-gradients'].meta;
          expect(ig).toMatchObject({ rule: 'riemann-midpoint', steps: 256 });
          expect(
            typeof ig.gapRelative === 'number' || ig.gapRelative === null
          ).toBe(true);
          expect(row.explanations.occlusion.meta).toMatchObject({ window: 1 });
          expect(Object.keys(row.agreement)).toEqual([
            'occlusion~grad-x-input',
            'occlusion~integrated-gradients',
            'grad-x-input~integrated-gradients'
          ]);
        });
        expect(sameRanking).toBeGreaterThanOrEqual(3 * methods.length);
      } finally {
        pool.dispose();
      }
    }
  );
});
