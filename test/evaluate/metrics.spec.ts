/** Row metrics by hand: clipping at 1e-7, Keras's 0.5 threshold, argmax ties. */
import {
  crossEntropy,
  predictedClassOf,
  rowMetrics
} from '../../src/evaluate/metrics';
import {
  checkClasses,
  labelIndex,
  parseClasses
} from '../../src/evaluate/labels';

describe('row metrics', () => {
  it('binary cross-entropy, clipped to [1e-7, 1 - 1e-7]', () => {
    expect(crossEntropy([0.8], 1)).toBeCloseTo(-Math.log(0.8), 14);
    expect(crossEntropy([0.8], 0)).toBeCloseTo(-Math.log(0.2), 14);
    expect(crossEntropy([0], 1)).toBeCloseTo(-Math.log(1e-7), 12);
    expect(crossEntropy([1], 0)).toBeCloseTo(-Math.log(1e-7), 6);
    expect(crossEntropy([1], 1)).toBeCloseTo(-Math.log(1 - 1e-7), 14);
  });

  it('categorical cross-entropy of the label class', () => {
    expect(crossEntropy([0.2, 0.5, 0.3], 2)).toBeCloseTo(-Math.log(0.3), 14);
    expect(crossEntropy([0, 1, 0], 0)).toBeCloseTo(16.11809565, 7);
  });

  it('predicted class: f > 0.5 for one unit, first largest for several', () => {
    expect(predictedClassOf([0.5])).toBe(0);
    expect(predictedClassOf([0.5000001])).toBe(1);
    expect(predictedClassOf([0.4, 0.4, 0.2])).toBe(0);
    expect(predictedClassOf([0.1, 0.45, 0.45])).toBe(1);
  });

  it('f is the target unit: unit 0, the predicted class, or the one given', () => {
    expect(rowMetrics([0.3], 1)).toEqual({
      prediction: 0.3,
      target: 0,
      predictedClass: 0,
      correct: false,
      loss: -Math.log(0.3)
    });
    expect(rowMetrics([0.1, 0.7, 0.2], null)).toMatchObject({
      prediction: 0.7,
      target: 1,
      correct: null,
      loss: null
    });
    expect(rowMetrics([0.1, 0.7, 0.2], 2, 0).prediction).toBe(0.1);
    expect(() => rowMetrics([0.1, 0.9], 0, 2)).toThrow(
      /target 2 is out of range/
    );
  });
});

describe('labels', () => {
  it('class names map to their position; indices and "1.0" are accepted', () => {
    const classes = parseClasses('neg, pos');
    expect(classes).toEqual(['neg', 'pos']);
    expect(labelIndex('pos', classes, 2, 3)).toBe(1);
    expect(labelIndex(' neg ', classes, 2, 3)).toBe(0);
    expect(labelIndex('1', classes, 2, 3)).toBe(1);
    expect(labelIndex('1.0', null, 2, 3)).toBe(1);
    expect(labelIndex(2, null, 3, 3)).toBe(2);
    expect(labelIndex(null, null, 2, 3)).toBeNull();
  });

  it('a bad label names its line and what is accepted', () => {
    expect(() => labelIndex('positive', null, 2, 7)).toThrow(
      'line 7: label "positive" is not a class index 0..1 (name the classes with --classes, e.g. --classes neg,pos)'
    );
    expect(() => labelIndex('2', ['neg', 'pos'], 2, 9)).toThrow(
      'line 9: label "2" is not one of "neg", "pos" or an index 0..1'
    );
    expect(() => labelIndex(0.5, null, 2, 4)).toThrow(/^line 4: label 0.5/);
    expect(() => labelIndex(-1, null, 2, 4)).toThrow(/^line 4: /);
  });

  it('class names must fit the output and be distinct', () => {
    expect(() => parseClasses('a')).toThrow(/at least two/);
    expect(() => parseClasses('a,,b')).toThrow(/non-empty/);
    expect(() => parseClasses('a,b,a')).toThrow(/'a' twice/);
    expect(() => checkClasses(['a', 'b', 'c'], 1)).toThrow(
      /3 classes, but the model's output has 1 unit \(a sigmoid/
    );
    expect(() => checkClasses(['a', 'b'], 1)).not.toThrow();
    expect(() => checkClasses(['a', 'b', 'c'], 3)).not.toThrow();
  });
});
