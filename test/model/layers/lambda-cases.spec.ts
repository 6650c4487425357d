/**
 * The Lambda code cases shared with the Python reader
 * (test/fixtures/keras/lambda_cases/cases.json, made by
 * scripts/keras_fixtures/lambda_cases.py; python/tests/test_lambda_cases.py
 * runs the same cases): each is decoded to the reduction written by hand
 * from its source, or refused with the exact reason.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  formatLambdaOp,
  lambdaCode,
  recognizeLambda
} from '../../../src/model/layers/lambda';

interface ICase {
  name: string;
  source: string;
  config: { [key: string]: unknown };
  expected: { op: string; text: string } | { refused: string };
}

const CASES = (
  JSON.parse(
    fs.readFileSync(
      path.resolve(__dirname, '../../fixtures/keras/lambda_cases/cases.json'),
      'utf8'
    )
  ) as { cases: ICase[] }
).cases;

/** What the loader makes of a Lambda config: the reduction, or why it is refused. */
function read(config: { [key: string]: unknown }) {
  const found = recognizeLambda({
    name: 'lam',
    className: 'Lambda',
    config
  });
  if (found) {
    return { op: formatLambdaOp(found.op), text: found.text };
  }
  const code = lambdaCode(config);
  return {
    refused: code.text
      ? `its code \`${code.text}\` is not one of the forms run without a mapping ` +
        '(K./ops./backend. sum, mean, max or min, tf.reduce_*, over a constant axis)'
      : code.problem
  };
}

describe('Lambda code cases shared with Python', () => {
  it('covers accepted and refused cases', () => {
    expect(CASES.filter(c => 'op' in c.expected).length).toBeGreaterThan(4);
    expect(CASES.filter(c => 'refused' in c.expected).length).toBeGreaterThan(
      8
    );
  });

  it.each(CASES.map(c => [c.name, c.source, c] as const))(
    '%s (%s)',
    (_name, _source, c) => {
      expect(read(c.config)).toEqual(c.expected);
    }
  );
});
