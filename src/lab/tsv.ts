/**
 * Payload → tab-separated values that paste into a spreadsheet.
 *
 * Pure. One line per character: `character<TAB>position<TAB>value`, with a
 * header line. When the payload holds several samples a `sample` column comes
 * first; when a sample has several series a `series` column does. Tabs,
 * newlines and backslashes inside a character are escaped (`\t`, `\n`, `\r`,
 * `\\`) so every character stays on its own line and in its own column.
 * Values are written in full precision; a missing value (null, NaN or a
 * position the model did not see) is an empty field, as in the rendered table.
 */
import type { ISample, Payload } from '../payload/types';

export interface ITsvOptions {
  /** Write the header line (default true). */
  header?: boolean;
}

/** The TSV text (lines joined with `\n`, ending with a newline). */
export function payloadToTsv(
  payload: Payload,
  options: ITsvOptions = {}
): string {
  const lines = payloadToTsvLines(payload, options);
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/** The TSV lines, header first. */
export function payloadToTsvLines(
  payload: Payload,
  options: ITsvOptions = {}
): string[] {
  const samples = Private.samplesOf(payload);
  const withSample = samples.length > 1;
  const withSeries = samples.some(sample => Array.isArray(sample.series));
  const lines: string[] = [];
  if (options.header !== false) {
    lines.push(
      [
        ...(withSample ? ['sample'] : []),
        ...(withSeries ? ['series'] : []),
        'character',
        'position',
        'value'
      ].join('\t')
    );
  }
  samples.forEach((sample, sampleIndex) => {
    const tokens = Private.tokensOf(sample);
    for (const row of Private.rowsOf(sample)) {
      tokens.forEach((token, position) => {
        const seen =
          !Array.isArray(sample.mask) || sample.mask[position] !== false;
        const value = seen ? row.values[position] : null;
        lines.push(
          [
            ...(withSample ? [String(sampleIndex)] : []),
            ...(withSeries ? [escapeTsvField(row.name)] : []),
            escapeTsvField(token),
            String(position),
            Private.formatValue(value)
          ].join('\t')
        );
      });
    }
  });
  return lines;
}

/** Escape a field so it holds no tab, newline or carriage return. */
export function escapeTsvField(text: string): string {
  return text.replace(/[\\\t\n\r]/g, ch =>
    ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'
  );
}

namespace Private {
  export function samplesOf(payload: Payload): ISample[] {
    if (payload && Array.isArray((payload as { samples?: unknown }).samples)) {
      return (payload as { samples: ISample[] }).samples;
    }
    return payload ? [payload as ISample] : [];
  }

  /** Keras's char-level split: one token per Unicode code point. */
  export function tokensOf(sample: ISample): string[] {
    if (Array.isArray(sample.tokens)) {
      return sample.tokens.map(token => String(token));
    }
    return typeof sample.text === 'string' ? Array.from(sample.text) : [];
  }

  export function rowsOf(
    sample: ISample
  ): Array<{ name: string; values: Array<number | null | undefined> }> {
    if (Array.isArray(sample.series)) {
      return sample.series.map(series => ({
        name: String(series.name),
        values: Array.isArray(series.values) ? series.values : []
      }));
    }
    return [
      {
        name: '',
        values: Array.isArray(sample.attention) ? sample.attention : []
      }
    ];
  }

  export function formatValue(value: unknown): string {
    return typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : '';
  }
}
