/**
 * The explorer's summary strip: rows, accuracy, mean loss, the confusion
 * matrix, and "characters the model relies on" (mean value per character
 * over the explained rows, top 20) as a small bar chart. Theme-aware
 * (classes styled with `--jp-*` variables), text only through textContent.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { ICharacterWeight } from '../../evaluate/characters';
import { formatScore } from '../../evaluate/row-payload';
import { visibleChar } from '../../evaluate/summary-html';
import type { IResultsSummary } from './results';

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

export class SummaryStrip extends Widget {
  constructor(
    private _trans: TranslationBundle,
    private _className: (index: number) => string
  ) {
    super();
    this.addClass('jp-CharAttention-explorerSummary');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', _trans.__('Evaluation summary'));
    this.node.append(this._facts, this._matrix, this._chars);
  }

  /** Shows the counts, accuracy, mean loss and confusion matrix. */
  setSummary(summary: IResultsSummary | null, total: number): void {
    const trans = this._trans;
    this._facts.replaceChildren();
    this._matrix.replaceChildren();
    if (!summary) {
      return;
    }
    const facts: Array<[string, string, string]> = [
      [trans.__('rows'), `${summary.count} / ${total}`, 'rows'],
      [
        trans.__('accuracy'),
        summary.accuracy === null
          ? '–'
          : `${(100 * summary.accuracy).toFixed(1)}%`,
        'accuracy'
      ],
      [trans.__('mean loss'), formatScore(summary.meanLoss), 'loss']
    ];
    for (const [name, value, key] of facts) {
      const fact = el('div', 'jp-CharAttention-explorerFact');
      fact.dataset.fact = key;
      fact.append(el('span', '', name), el('b', '', value));
      this._facts.append(fact);
    }
    if (summary.labelled > 0) {
      this._matrix.append(this._confusion(summary.confusion));
    }
  }

  /** The top characters of the explained rows (empty list: a hint instead). */
  setCharacters(method: string, weights: ICharacterWeight[]): void {
    const trans = this._trans;
    this._chars.replaceChildren();
    const title = el(
      'div',
      'jp-CharAttention-explorerCharsTitle',
      weights.length
        ? trans.__(
            'Characters the model relies on (%1, mean over explained rows)',
            method
          )
        : trans.__('Select rows to see which characters the model relies on.')
    );
    this._chars.append(title);
    if (!weights.length) {
      return;
    }
    const largest = Math.max(...weights.map(w => Math.abs(w.mean))) || 1;
    const list = el('ol', 'jp-CharAttention-explorerBars');
    list.setAttribute('aria-label', title.textContent ?? '');
    for (const w of weights) {
      const item = el('li', '');
      const code = w.char.codePointAt(0) ?? 0;
      item.title = `U+${code.toString(16).toUpperCase().padStart(4, '0')}: ${formatScore(w.mean)} (${w.count}×)`;
      const bar = el('span', 'jp-CharAttention-explorerBar');
      bar.style.width = `${((100 * Math.abs(w.mean)) / largest).toFixed(1)}%`;
      if (w.mean < 0) {
        bar.classList.add('jp-mod-negative');
      }
      const track = el('span', 'jp-CharAttention-explorerBarTrack');
      track.append(bar);
      item.append(
        el('code', '', visibleChar(w.char)),
        track,
        el('span', 'jp-CharAttention-explorerBarValue', formatScore(w.mean))
      );
      list.append(item);
    }
    this._chars.append(list);
  }

  private _confusion(matrix: number[][]): HTMLTableElement {
    const table = el('table', 'jp-CharAttention-explorerConfusion');
    table.setAttribute('aria-label', this._trans.__('Confusion matrix'));
    const head = table.createTHead().insertRow();
    head.append(el('th', '', this._trans.__('label \\ predicted')));
    matrix.forEach((_, j) => head.append(el('th', '', this._className(j))));
    const body = table.createTBody();
    matrix.forEach((row, i) => {
      const tr = body.insertRow();
      tr.append(el('th', '', this._className(i)));
      row.forEach((count, j) => {
        const cell = el(
          'td',
          i === j ? 'jp-mod-correct' : count > 0 ? 'jp-mod-error' : '',
          String(count)
        );
        tr.append(cell);
      });
    });
    return table;
  }

  private _facts = el('div', 'jp-CharAttention-explorerFacts');
  private _matrix = el('div', 'jp-CharAttention-explorerMatrix');
  private _chars = el('div', 'jp-CharAttention-explorerChars');
}
