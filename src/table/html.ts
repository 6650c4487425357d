/**
 * Standalone HTML export of the table model: a complete document (inline CSS,
 * no scripts, no external resources, light/dark via `prefers-color-scheme`,
 * print-friendly) or a fragment for embedding (`text/html` fallbacks). Pure.
 *
 * Size: colours are classes defined once per export (one rule per colour
 * level in use, single-letter names for the most used levels); a cell is
 * `<td class=a title=0.004123>h` with optional end tags omitted, so a
 * character costs about 28 bytes with its value kept in `title` (shown on
 * hover) at the display precision. The export is made as a sequence of
 * chunks (`exportPayloadChunks`) that a writer can stream.
 */
import { IDisplaySettings, normalizePayload } from '../payload/normalize';
import { IValidationProblem, Payload } from '../payload/types';
import { validatePayload } from '../payload/validate';
import { attributeValue, escapeHtml } from './escape';
import { visibleControls } from './glyphs';
import { batchNotes, metaTooltip } from './header';
import { BASE_CSS, DOC_CSS, ERROR_CSS } from './html-css';
import { sampleChunks } from './html-sample';
import { buildTableModel, ITableModel } from './model';

export interface IExportOptions {
  /** Display settings (payload options win over them). */
  settings?: IDisplaySettings;
  /** Return an embeddable fragment instead of a whole document. */
  fragment?: boolean;
  /** Document title (default: the payload's title or "Character attention"). */
  documentTitle?: string;
}

export interface IExportResult {
  ok: boolean;
  /** The document or fragment; for an invalid payload, an error box. */
  html: string;
  problems: IValidationProblem[];
}

export interface IExportChunks {
  ok: boolean;
  /** The document or fragment in order (an error box when not `ok`). */
  chunks: Iterable<string>;
  problems: IValidationProblem[];
}

/** Validate, normalise and export a payload. Never throws. */
export function exportPayloadHtml(
  payload: unknown,
  options: IExportOptions = {}
): IExportResult {
  const { ok, chunks, problems } = exportPayloadChunks(payload, options);
  return { ok, problems, html: Array.from(chunks).join('') };
}

/**
 * The same export as a sequence of strings (a few kilobytes each), to be
 * written one after the other. Validation happens here; the chunks are made
 * as they are read.
 */
export function exportPayloadChunks(
  payload: unknown,
  options: IExportOptions = {}
): IExportChunks {
  const { problems } = validatePayload(payload);
  if (problems.length > 0) {
    const body = renderProblemsHtml(problems);
    return {
      ok: false,
      problems,
      chunks: [
        options.fragment
          ? body
          : Private.document(
              options.documentTitle ?? 'Invalid payload',
              '',
              body
            )
      ]
    };
  }
  const model = buildTableModel(
    normalizePayload(payload as Payload, options.settings)
  );
  return {
    ok: true,
    problems: [],
    chunks: options.fragment
      ? fragmentChunks(model)
      : documentChunks(model, options.documentTitle)
  };
}

/** A complete HTML document of a table model. */
export function renderDocument(
  model: ITableModel,
  documentTitle?: string
): string {
  return Array.from(documentChunks(model, documentTitle)).join('');
}

/** An embeddable fragment (its CSS is scoped to the fragment's own class). */
export function renderFragment(model: ITableModel): string {
  return Array.from(fragmentChunks(model)).join('');
}

/** The error box listing every problem of an invalid payload. */
export function renderProblemsHtml(problems: IValidationProblem[]): string {
  const items = problems
    .map(problem => `<li>${escapeHtml(problem.message)}</li>`)
    .join('');
  return (
    `<div class="cax c-e" role="alert"><style>${ERROR_CSS}</style>` +
    `<b>Invalid char-attention payload</b><ul>${items}</ul></div>`
  );
}

/** Short class names for colour levels: a..z, A..Z (without M, N, P), then pairs. */
export function bucketClassName(index: number): string {
  const alphabet = Private.ALPHABET;
  if (index < alphabet.length) {
    return alphabet[index];
  }
  const rest = index - alphabet.length;
  return (
    alphabet[Math.floor(rest / alphabet.length) % alphabet.length] +
    alphabet[rest % alphabet.length]
  );
}

function* documentChunks(
  model: ITableModel,
  documentTitle?: string
): Generator<string> {
  const { css, scope, names } = Private.levelCss(model);
  const title =
    documentTitle ??
    (model.title ||
      (model.samples.length === 1 && model.samples[0].title) ||
      'Character attention');
  yield Private.documentHead(title, BASE_CSS + css);
  yield* Private.bodyChunks(model, scope, names);
  yield '</body></html>\n';
}

function* fragmentChunks(model: ITableModel): Generator<string> {
  const { css, scope, names } = Private.levelCss(model);
  yield `<style>${BASE_CSS}${css}</style>`;
  yield* Private.bodyChunks(model, scope, names);
}

namespace Private {
  export const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLOQRSTUVWXYZ';

  export function documentHead(title: string, css: string): string {
    return (
      '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width,initial-scale=1">' +
      '<meta name="color-scheme" content="light dark">' +
      `<title>${escapeHtml(visibleControls(title))}</title><style>${DOC_CSS}${css}</style></head>` +
      '<body>'
    );
  }

  export function document(title: string, css: string, body: string): string {
    return documentHead(title, BASE_CSS + css) + body + '</body></html>\n';
  }

  /** 32-bit FNV-1a as base 36: scopes a fragment's colour classes. */
  export function hash(text: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(36);
  }

  /** Colour-level class names (most used first), their rules and the scope class. */
  export function levelCss(model: ITableModel): {
    css: string;
    scope: string;
    names: string[];
  } {
    const counts = new Float64Array(256);
    for (const sample of model.samples) {
      for (const series of sample.series) {
        const levels = series.levels;
        for (let i = 0; i < levels.length; i++) {
          if (levels[i] >= 0) {
            counts[levels[i]]++;
          }
        }
      }
    }
    const used: number[] = [];
    for (let level = 0; level < 256; level++) {
      if (counts[level] > 0) {
        used.push(level);
      }
    }
    used.sort((a, b) => counts[b] - counts[a] || a - b);
    const names: string[] = new Array(256).fill('');
    used.forEach((level, index) => (names[level] = bucketClassName(index)));
    let rules = '';
    for (const level of used.slice().sort((a, b) => a - b)) {
      const fg = model.textColors[level] === '#000000' ? '' : ';color:#fff';
      rules += `.S .${names[level]}{background:${model.palette[level]}${fg}}`;
    }
    model.samples.forEach((sample, index) => {
      rules += `.S .g${index}{background:${sample.legend.gradient}}`;
    });
    const scope = 'k' + hash(model.colormap + rules);
    return { css: rules.split('.S ').join(`.${scope} `), scope, names };
  }

  export function* bodyChunks(
    model: ITableModel,
    scope: string,
    names: ReadonlyArray<string>
  ): Generator<string> {
    let head = `<div class="cax ${scope}">`;
    if (model.title) {
      head += `<div class=c-t><bdi>${escapeHtml(visibleControls(model.title))}</bdi></div>`;
    }
    if (model.meta) {
      const tooltip = metaTooltip(model.meta);
      for (const note of batchNotes(model.meta)) {
        head += `<div class=c-m${tooltip ? ` title=${attributeValue(tooltip)}` : ''}><bdi>${escapeHtml(note)}</bdi></div>`;
      }
    }
    yield head;
    for (let index = 0; index < model.samples.length; index++) {
      yield* sampleChunks(model, model.samples[index], index, names);
    }
    yield '</div>';
  }
}
