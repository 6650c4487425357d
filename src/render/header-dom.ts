/**
 * The DOM around a sample's table: its header (each field isolated in a
 * `<bdi>`, the full meta as a tooltip), its notes and its legend; the batch
 * heading; the status line; the error box of an invalid payload. Every
 * payload string is set as text.
 */
import { IValidationProblem } from '../payload/types';
import { visibleControls } from '../table/glyphs';
import {
  batchNotes,
  HeaderFieldKind,
  IHeaderField,
  metaTooltip,
  sampleHeader
} from '../table/header';
import { ISampleTable, ITableModel } from '../table/model';
import type { ITranslate } from '../table/translate';
import { CSS } from './css';

const FIELD_CLASS: { [kind in HeaderFieldKind]: string } = {
  title: CSS.title,
  method: CSS.method,
  prediction: CSS.prediction,
  label: CSS.label,
  fact: CSS.fact,
  summary: CSS.summary
};

/** The header of a sample and its notes, in the words of `trans`. */
export function headerNodes(
  sample: ISampleTable,
  trans: ITranslate
): HTMLElement[] {
  const header = sampleHeader(sample.source, trans);
  const node = element('div', CSS.header);
  if (header.tooltip) {
    node.title = header.tooltip;
  }
  for (const field of header.fields) {
    node.appendChild(fieldNode(field));
  }
  const nodes = [node];
  for (const note of header.notes) {
    nodes.push(noteNode(note));
  }
  return nodes;
}

/** The colour legend: map, range, bar and, for signed values, what the ends mean. */
export function legendNode(
  sample: ISampleTable,
  trans: ITranslate
): HTMLElement {
  const { legend } = sample;
  const node = element('div', CSS.legend);
  const bar = element('span', CSS.legendBar);
  bar.style.background = legend.gradient;
  bar.setAttribute('role', 'img');
  const range = trans.__(
    'colour scale %1 from %2 to %3',
    legend.colormap,
    legend.loText,
    legend.hiText
  );
  const detail = signedMeaningDetail(trans);
  bar.setAttribute('aria-label', legend.signed ? `${range}. ${detail}` : range);
  node.append(
    element('span', CSS.legendName, legend.colormap),
    element('span', CSS.legendMin, legend.loText),
    bar,
    element('span', CSS.legendMax, legend.hiText)
  );
  if (legend.signed) {
    const meaning = element('span', CSS.legendMeaning, signedMeaning(trans));
    meaning.title = detail;
    node.appendChild(meaning);
  }
  return node;
}

/** `SIGNED_MEANING` of `table/colormaps.ts`, translated (a test keeps them equal). */
export function signedMeaning(trans: ITranslate): string {
  return trans.__('− lowers · raises +');
}

/** `SIGNED_MEANING_DETAIL` of `table/colormaps.ts`, translated. */
export function signedMeaningDetail(trans: ITranslate): string {
  return trans.__(
    'Signed values: blue (−) lowers the explained output, red (+) raises it, white is 0.'
  );
}

/** The batch title and the notes of the batch's meta (what was inferred). */
export function batchNodes(
  model: ITableModel,
  trans: ITranslate
): HTMLElement[] {
  const nodes: HTMLElement[] = [];
  const tooltip = model.meta ? metaTooltip(model.meta) : '';
  if (model.title) {
    const title = element('div', CSS.batchTitle);
    title.appendChild(element('bdi', '', visibleControls(model.title)));
    if (tooltip) {
      title.title = tooltip;
    }
    nodes.push(title);
  }
  for (const note of batchNotes(model.meta, trans)) {
    const node = noteNode(note);
    if (tooltip) {
      node.title = tooltip;
    }
    nodes.push(node);
  }
  return nodes;
}

/** The status line (a live region) with the usage hint until a cell is pointed at. */
export function statusNode(trans: ITranslate): HTMLElement {
  const status = element('div', CSS.status);
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  // The hint is shown once per output area (see the stylesheet); the status
  // line then describes the hovered or focused cell.
  status.appendChild(
    element(
      'span',
      CSS.hint,
      trans.__(
        'Hover or focus a character to see its value; arrow keys move between cells.'
      )
    )
  );
  return status;
}

/** The error box of an invalid payload: one item per problem, with its path. */
export function problemsNode(
  problems: IValidationProblem[],
  trans: ITranslate
): HTMLElement {
  const box = element('div', CSS.error);
  box.setAttribute('role', 'alert');
  box.appendChild(
    element(
      'div',
      CSS.errorTitle,
      trans._n(
        'Invalid char-attention payload (%1 problem)',
        'Invalid char-attention payload (%1 problems)',
        problems.length
      )
    )
  );
  const list = document.createElement('ul');
  for (const problem of problems) {
    const item = element('li', '', problem.message);
    if (problem.path) {
      item.setAttribute('data-path', problem.path);
    }
    list.appendChild(item);
  }
  box.appendChild(list);
  return box;
}

/** `name <b><bdi>value</bdi></b>`: the value isolated from its neighbours. */
function fieldNode(field: IHeaderField): HTMLElement {
  const node = element('span', FIELD_CLASS[field.kind]);
  if (field.key) {
    node.setAttribute('data-key', field.key);
  }
  if (field.name) {
    node.appendChild(element('span', CSS.partName, field.name + ' '));
  }
  const value = element('bdi', '', field.value);
  if (field.kind === 'summary' || field.kind === 'title') {
    node.appendChild(value);
  } else {
    const strong = document.createElement('b');
    strong.appendChild(value);
    node.appendChild(strong);
  }
  return node;
}

function noteNode(text: string): HTMLElement {
  const node = element('div', CSS.note);
  node.appendChild(element('bdi', '', text));
  return node;
}

function element(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}
