/**
 * Lambda layers run without a mapping only when their stored code is exactly
 * a known reduction; Keras 3 `.keras` (`__lambda__` code) and legacy `.h5`
 * (`[code, defaults, closure]`) files written by real Keras 3 / CPython 3.11.
 */
import { loadGraph } from '../../../src/model/engine';
import {
  decompile,
  exprText,
  readMarshalCode
} from '../../../src/model/layers/lambda-code';
import { readKerasH5 } from '../../../src/model/files/keras-h5';
import { lambdaCode } from '../../../src/model/layers/lambda';
import { fixture } from '../helpers';
import { diff, modelFile, readCase, run } from './oracle';

const FORMS: { [layer: string]: [string, string] } = {
  lam_ops: ['sum over axis 1', 'ops.sum(x, axis=1)'],
  lam_keras_ops: ['sum over axis 1', 'keras.ops.sum(x, axis=1)'],
  lam_k_neg: ['sum over axis -2', 'K.sum(x, axis=-2)'],
  lam_tf: ['sum over axis 1', 'tf.reduce_sum(x, axis=1)'],
  lam_backend: ['sum over axis 1', 'backend.sum(x, axis=1)'],
  lam_mean_keep: [
    'mean over axis 1 (keeping the axis)',
    'K.mean(x, axis=1, keepdims=True)'
  ],
  lam_pos_axis: ['max over axis 1', 'K.max(x, 1)']
};

describe('Lambda code read exactly (real Keras 3 files)', () => {
  for (const file of ['lambda_forms.keras', 'lambda_forms.h5']) {
    it(`${file}: every form runs without a mapping, matches Keras and is reported`, () => {
      const c = readCase('lambda_forms');
      const { graph } = loadGraph(modelFile(file));
      const { outputs, activations } = run(graph, c);
      for (const layer of Object.keys(FORMS)) {
        expect({
          layer,
          ok: diff(activations[layer], c.layers[layer]) < 1e-5
        }).toEqual({
          layer,
          ok: true
        });
      }
      expect(diff(outputs[0], c.outputs[0])).toBeLessThan(1e-5);
      expect(graph.inferences).toEqual(
        Object.entries(FORMS).map(
          ([layer, [op, code]]) =>
            `Lambda '${layer}' read as ${op} from its code \`${code}\``
        )
      );
    });
  }

  const refusals: Array<[string, RegExp]> = [
    [
      'lambda_named_fn',
      /calls the Python function 'log_sum_exp', whose code the file does not hold/
    ],
    [
      'lambda_lse',
      /its code `ops\.log\(ops\.sum\(ops\.exp\(x\), axis=1\)\)` is not one of the forms/
    ],
    ['lambda_sum_sq', /its code is not a single call this reader understands/]
  ];
  for (const [name, message] of refusals) {
    for (const ext of ['keras', 'h5']) {
      it(`${name}.${ext} is refused with the reason, naming the layer`, () => {
        expect(() => loadGraph(modelFile(`${name}.${ext}`))).toThrow(message);
        expect(() => loadGraph(modelFile(`${name}.${ext}`))).toThrow(
          /Layer 'lam' \(Lambda\).*--lambda lam=sum\(axis=1\)/
        );
      });
    }
  }

  it('runs a refused Lambda when the user maps it, and does not report it as inferred', () => {
    const { graph } = loadGraph(modelFile('lambda_named_fn.keras'), {
      lambdas: { lam: 'sum(axis=1)' }
    });
    expect(graph.inferences).toEqual([]);
  });

  it('reads the CPython 2.7 code objects of Keras 2.0.9 files without guessing', () => {
    // model_lambda.h5 stores `lambda x: x ** 2`: read, but arithmetic is not understood.
    const config = JSON.parse(
      readKerasH5(fixture('dl4j', 'model_lambda.h5'), 'model_lambda.h5')
        .modelConfig!
    );
    const layer = config.config.layers.find(
      (l: any) => l.config.name === 'lambda_3'
    );
    const code = lambdaCode(layer.config);
    expect(code.problem).toMatch(/not a single call this reader understands/);
    const fn = layer.config.function;
    const raw = Array.isArray(fn) ? fn[0] : fn;
    const parsed = readMarshalCode(
      Uint8Array.from(raw, (c: string) => c.charCodeAt(0) & 0xff)
    );
    expect(parsed).toMatchObject({ layout: '2', argcount: 1, varnames: ['x'] });
    expect(decompile(parsed!)).toBeNull();
  });

  it('reads a CPython 2.7 call with keyword arguments', () => {
    // lambda x: K.sum(x, axis=1) as CPython 2.7 marshals it.
    const code = {
      kind: 'code' as const,
      layout: '2' as const,
      argcount: 1,
      // LOAD_GLOBAL 0 (K); LOAD_ATTR 1 (sum); LOAD_FAST 0 (x); LOAD_CONST 1 ('axis');
      // LOAD_CONST 2 (1); CALL_FUNCTION 0x0101; RETURN_VALUE
      code: Uint8Array.from([
        116, 0, 0, 106, 1, 0, 124, 0, 0, 100, 1, 0, 100, 2, 0, 131, 1, 1, 83
      ]),
      consts: [null, 'axis', 1],
      names: ['K', 'sum'],
      varnames: ['x'],
      freevars: [],
      name: '<lambda>'
    };
    expect(exprText(decompile(code)!)).toBe('K.sum(x, axis=1)');
  });

  // Hand-assembled from CPython's opcode lists (no 3.8 / 3.12 interpreter here):
  // `lambda x: K.sum(x, axis=1)` as those versions compile it.
  const codeOf = (layout: '3.8-3.10' | '3.11+', bytes: number[]) => ({
    kind: 'code' as const,
    layout,
    argcount: 1,
    code: Uint8Array.from(bytes),
    consts: [null, 1, ['axis']],
    names: ['K', 'sum'],
    varnames: ['x'],
    freevars: [],
    name: '<lambda>'
  });

  it('reads CPython 3.8-3.10 wordcode (LOAD_ATTR + CALL_FUNCTION_KW)', () => {
    const code = codeOf(
      '3.8-3.10',
      [116, 0, 106, 1, 124, 0, 100, 1, 100, 2, 141, 2, 83, 0]
    );
    expect(exprText(decompile(code)!)).toBe('K.sum(x, axis=1)');
  });

  it('reads CPython 3.12 (method LOAD_ATTR, KW_NAMES, CALL, inline caches)', () => {
    const cache = (n: number) => new Array(2 * n).fill(0);
    const code = codeOf('3.11+', [
      151,
      0,
      116,
      0,
      ...cache(4),
      106,
      3,
      ...cache(9),
      124,
      0,
      100,
      1,
      172,
      2,
      171,
      2,
      ...cache(3),
      83,
      0
    ]);
    expect(exprText(decompile(code)!)).toBe('K.sum(x, axis=1)');
  });
});
