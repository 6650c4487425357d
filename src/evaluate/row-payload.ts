/**
 * An evaluated row as a payload v1 sample: its text with one row of values
 * per method, and a header that says how faithful each method is
 * (comprehensiveness, sufficiency) and how much the methods agree (tau-b).
 * Shared by the HTML report and the explorer. Pure.
 */
import { describeMethod, isExplainMethod } from '../explain/registry';
import type { ISample } from '../payload/types';
import { formatValue } from '../table/format';
import type { IEvaluationRow } from './types';

/** A method's name as a header shows it (the registry's label). */
export function methodLabel(method: string): string {
  return isExplainMethod(method) ? describeMethod(method).label : method;
}

/** A score as a header shows it: 3 significant digits (never a misleading 1), '–' when undefined. */
export function formatScore(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return '–';
  }
  return formatValue(value, 3);
}

/** A class index as its name (or number). */
export function className(index: number, classes: string[] | null): string {
  return classes && classes[index] !== undefined
    ? classes[index]
    : String(index);
}

/** `occlusion: comprehensiveness 0.41, sufficiency 0.05` for each method. */
export function scoreLine(row: IEvaluationRow): string {
  return Object.keys(row.explanations)
    .map(method => {
      const r = row.explanations[method];
      return `${methodLabel(method)}: comprehensiveness ${formatScore(r.comprehensiveness)}, sufficiency ${formatScore(r.sufficiency)}`;
    })
    .join('; ');
}

/** `τ(attention, occlusion) 0.32` for each pair, '' without pairs. */
export function agreementLine(row: IEvaluationRow): string {
  return Object.keys(row.agreement)
    .map(pair => {
      const [a, b] = pair.split('~');
      return `τ(${methodLabel(a)}, ${methodLabel(b)}) ${formatScore(row.agreement[pair])}`;
    })
    .join('; ');
}

/** The sample of one evaluated row (it must have at least one method's values). */
export function rowSample(
  row: IEvaluationRow,
  options: { classes: string[] | null; line?: number }
): ISample {
  const methods = Object.keys(row.explanations);
  if (methods.length === 0) {
    throw new Error(`row ${row.index + 1} has no explanation to show`);
  }
  const first = row.explanations[methods[0]].values;
  const heading = [
    `Row ${row.index + 1}` +
      (options.line !== undefined ? ` (line ${options.line})` : ''),
    scoreLine(row),
    agreementLine(row)
  ].filter(Boolean);
  const sample: ISample = {
    text: row.text,
    mask: first.map(v => v !== null),
    prediction: row.prediction,
    title: heading.join(' · '),
    method: methods.map(methodLabel).join(' · '),
    meta: {
      // Each method's facts (steps, gapRelative, window, ...): distinct keys.
      ...Object.assign({}, ...methods.map(m => row.explanations[m].meta)),
      row: row.index,
      ...(options.line !== undefined ? { line: options.line } : {}),
      predictedClass: className(row.predictedClass, options.classes),
      ...(row.loss !== null ? { loss: row.loss } : {})
    }
  };
  if (row.label !== null) {
    sample.label = className(row.label, options.classes);
  }
  if (methods.length === 1) {
    sample.attention = first;
  } else {
    sample.series = methods.map(m => ({
      name: methodLabel(m),
      values: row.explanations[m].values
    }));
  }
  return sample;
}
