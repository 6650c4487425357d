/**
 * `char-attention align`: texts + a tokenizer + the model's attention over
 * its padded positions -> payload v1 JSON aligned to the original characters.
 */
import { alignBatch, alignmentNotices } from '../text/align';
import { ICharTokenizer, TokenizerError } from '../text/tokenizer';
import {
  collectTexts,
  loadTokenizer,
  optionValue,
  padOptions,
  parseArgs,
  readJsonFile,
  reportError,
  TEXT_OPTIONS,
  UsageError,
  writeNotices,
  writeStdout
} from './encode';
import { terminalJson } from './terminal';

export const ALIGN_USAGE = `Usage: char-attention align --tokenizer TOK.json --attention ATT.json
         [--predictions PRED.json] [--maxlen N] [--padding pre|post]
         [--truncating pre|post] [--lower] [--file F]... TEXT...

Print the payload v1 JSON (a batch) that aligns each text's attention to its
characters: padding dropped; characters the model did not see (unknown or
truncated) kept with mask false and a null value.

  --tokenizer TOK.json     Tokenizer.to_json() output or a plain {"char": index} map
  --attention ATT.json     JSON array: per text, the maxlen attention values the model
                           gave over its positions
  --predictions PRED.json  JSON array: per text, the prediction (number or array)
  --maxlen N               model input length (default: the length of the attention
                           rows, else the longest encoded text)
  --padding pre|post       default pre, as Keras pad_sequences
  --truncating pre|post    default pre
  --lower                  lowercase texts first (plain maps only)
  --max-length N           refuse a maxlen above N steps (default 100000)
  --file F                 read texts from F, one per line ('-' = stdin); repeatable
  -h, --help               show this help
`;

const ALIGN_OPTIONS = {
  ...TEXT_OPTIONS,
  '--attention': { value: true },
  '--predictions': { value: true }
};

export async function alignCommand(args: string[]): Promise<number> {
  try {
    const parsed = parseArgs(args, ALIGN_OPTIONS);
    if (parsed.flags.has('--help')) {
      await writeStdout(ALIGN_USAGE);
      return 0;
    }
    const tokenizer = loadTokenizer(parsed) as ICharTokenizer;
    const pad = padOptions(parsed);
    const attentionFile = optionValue(parsed, '--attention');
    if (attentionFile === undefined) {
      throw new UsageError('--attention is required');
    }
    const texts = collectTexts(parsed);
    if (!texts.length) {
      throw new UsageError('no texts given (pass TEXT arguments or --file F)');
    }
    const attention = Private.readAttention(attentionFile, texts.length);
    const predictionsFile = optionValue(parsed, '--predictions');
    const predictions =
      predictionsFile === undefined
        ? undefined
        : Private.readPredictions(predictionsFile, texts.length);
    if (pad.maxlen === undefined && attention.length) {
      const lengths = new Set(attention.map(row => row.length));
      if (lengths.size === 1) {
        pad.maxlen = attention[0].length || undefined;
      }
    }
    const { payload, items, options } = alignBatch({
      tokenizer,
      texts,
      attention,
      predictions,
      pad
    });
    writeNotices('align', alignmentNotices(items, options));
    await writeStdout(terminalJson(JSON.stringify(payload)) + '\n');
    return 0;
  } catch (error) {
    return reportError('align', error, ALIGN_USAGE);
  }
}

namespace Private {
  /**
   * One row per text; a single text's row may come without the batch axis,
   * and a row of one-element arrays (a `[maxlen, 1]` output) is flattened.
   */
  export function readAttention(
    file: string,
    textCount: number
  ): Array<Array<number | null>> {
    let data = readJsonFile(file, 'attention file');
    const isValue = (v: unknown) => v === null || typeof v === 'number';
    const isColumn = (v: unknown) =>
      Array.isArray(v) && v.length === 1 && isValue(v[0]);
    if (
      textCount === 1 &&
      Array.isArray(data) &&
      data.length > 1 &&
      (data.every(isValue) || data.every(isColumn))
    ) {
      data = [data];
    }
    if (!Array.isArray(data)) {
      throw new TokenizerError(
        `attention file '${file}': expected a JSON array of arrays`
      );
    }
    return data.map((row, i) => {
      if (
        Array.isArray(row) &&
        row.length > 0 &&
        row.every(v => Array.isArray(v) && v.length === 1)
      ) {
        row = row.map(v => v[0]);
      }
      if (!Array.isArray(row)) {
        throw new TokenizerError(
          `attention file '${file}': [${i}] is not an array`
        );
      }
      row.forEach((value, j) => {
        if (value !== null && typeof value !== 'number') {
          throw new TokenizerError(
            `attention file '${file}': [${i}][${j}] is ${JSON.stringify(value)}, expected a number`
          );
        }
      });
      return row as Array<number | null>;
    });
  }

  /** One prediction per text; a single text's may be a bare number. */
  export function readPredictions(
    file: string,
    textCount: number
  ): Array<number | number[]> {
    let data = readJsonFile(file, 'predictions file');
    if (textCount === 1 && typeof data === 'number') {
      data = [data];
    }
    if (!Array.isArray(data)) {
      throw new TokenizerError(
        `predictions file '${file}': expected a JSON array`
      );
    }
    data.forEach((value, i) => {
      const ok =
        typeof value === 'number' ||
        (Array.isArray(value) && value.every(v => typeof v === 'number'));
      if (!ok) {
        throw new TokenizerError(
          `predictions file '${file}': [${i}] must be a number or an array of numbers`
        );
      }
    });
    return data as Array<number | number[]>;
  }
}
