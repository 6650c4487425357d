/**
 * The steps before anything is drawn, as plain functions: a payload (object
 * or JSON text) is checked, then normalised into the table model with the
 * user's settings and the fitted row width. Never throws: every failure is a
 * list of problems for the error box.
 */
import {
  IDisplaySettings,
  INormalizedPayload,
  normalizePayload
} from '../payload/normalize';
import { IValidationProblem, Payload } from '../payload/types';
import { validatePayload } from '../payload/validate';
import { buildTableShell, ITableModel } from '../table/model';
import type { ITranslate } from '../table/translate';
import { hasFixedWidth } from './width-fit';

export type Checked =
  | { payload: unknown; problems?: undefined }
  | { problems: IValidationProblem[] };

/** Parse (when text) and validate a payload. */
export function checkPayload(data: unknown, trans: ITranslate): Checked {
  let payload: unknown = data;
  if (typeof payload === 'string') {
    try {
      payload = JSON.parse(payload);
    } catch (error) {
      return {
        problems: [
          {
            path: '',
            message: trans.__(
              'payload is not valid JSON: %1',
              (error as Error).message
            )
          }
        ]
      };
    }
  }
  try {
    const { problems } = validatePayload(payload);
    return problems.length > 0 ? { problems } : { payload };
  } catch (error) {
    return { problems: [drawingProblem(error, trans)] };
  }
}

export interface IPrepared {
  normalized: INormalizedPayload;
  /** The table model, its samples still to be built one by one. */
  table: ITableModel;
  /** Whether the payload or the user fixed the characters per row. */
  fixedWidth: boolean;
  /** Characters of the longest sample (rows are never wider). */
  longest: number;
}

/**
 * Normalise a valid payload with the settings; `fit` (characters per row
 * that fit the width) applies unless the width is fixed.
 */
export function preparePayload(
  payload: unknown,
  settings: IDisplaySettings,
  fit: number | null,
  trans: ITranslate
): IPrepared | { problems: IValidationProblem[] } {
  try {
    const used: IDisplaySettings = { ...settings };
    const fixedWidth = hasFixedWidth(payload, settings.charsPerRow);
    if (!fixedWidth && fit !== null) {
      used.charsPerRow = fit;
    }
    const normalized = normalizePayload(payload as Payload, used);
    let longest = 0;
    for (const sample of normalized.samples) {
      longest = Math.max(longest, sample.tokens.length);
    }
    return {
      normalized,
      table: buildTableShell(normalized),
      fixedWidth,
      longest
    };
  } catch (error) {
    return { problems: [drawingProblem(error, trans)] };
  }
}

/** A failure of the drawing itself (a bug, not a bad payload) as a problem. */
export function drawingProblem(
  error: unknown,
  trans: ITranslate
): IValidationProblem {
  return {
    path: '',
    message: trans.__(
      'payload could not be drawn: %1',
      (error as Error)?.message ?? String(error)
    )
  };
}
