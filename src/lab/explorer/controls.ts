/**
 * The explorer's controls, plain labelled form elements (keyboard
 * accessible by nature): the run bar (model, tokenizer, class names, the
 * methods and their option fields from the registry, Run / Cancel,
 * progress) and the filter bar (errors only, false positives, false
 * negatives, text search, prediction range, sort).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import {
  EXPLAIN_METHODS,
  ExplainMethod,
  methodDescriptions,
  methodUnavailable
} from '../../explain/registry';
import type { IExplainOptions } from '../../explain/types';
import type { IModelInfo } from '../../model/types';
import { MethodOptionFields } from '../viewer/option-fields';
import { COLUMNS, ColumnKey, IFilter, ISort } from './results';

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  properties: Partial<HTMLElementTagNameMap[K]> = {}
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  Object.assign(node, properties);
  return node;
}

/** A labelled input: `<label>text <input></label>`. */
function labelled(text: string, input: HTMLElement): HTMLLabelElement {
  const label = element('label', 'jp-CharAttention-explorerField');
  label.append(element('span', '', { textContent: text }), input);
  return label;
}

export interface IRunChoices {
  modelPath: string;
  tokenizerPath: string;
  methods: ExplainMethod[];
  /** Class names, comma-separated ('' = numbered classes). */
  classes: string;
}

export class RunBar extends Widget {
  constructor(trans: TranslationBundle) {
    super();
    this.addClass('jp-CharAttention-explorerRunBar');
    this.modelPath.placeholder = trans.__('model (.h5, .keras, model.json)');
    this.tokenizerPath.placeholder = trans.__(
      'tokenizer JSON (none: the model’s own)'
    );
    this.classes.placeholder = trans.__('e.g. neg,pos');
    this.browseModel.textContent = trans.__('Browse…');
    this.browseTokenizer.textContent = trans.__('Browse…');
    this.runButton.textContent = trans.__('Run');
    this.cancelButton.textContent = trans.__('Cancel');
    this.cancelButton.disabled = true;
    this.insertButton.textContent = trans.__('Insert into notebook');
    this.insertButton.disabled = true;
    this.progress.max = 1;
    this.progress.value = 0;
    this.progress.setAttribute('aria-label', trans.__('Progress'));
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    const methods = element('fieldset', 'jp-CharAttention-explorerMethods');
    methods.append(
      element('legend', '', { textContent: trans.__('Explain with') })
    );
    for (const method of methodDescriptions()) {
      const box = element('input', '', {
        type: 'checkbox',
        value: method.id
      });
      box.dataset.method = method.id;
      this._methodBoxes.set(method.id, box);
      const label = labelled(trans.__(method.label), box);
      label.title = trans.__(method.description);
      methods.append(label);
    }
    this._options = new MethodOptionFields(trans, () =>
      this._methodsChanged.emit()
    );
    methods.append(...this._options.nodes);
    const model = element('div', 'jp-CharAttention-explorerRow');
    model.append(
      labelled(trans.__('Model'), this.modelPath),
      this.browseModel,
      labelled(trans.__('Tokenizer'), this.tokenizerPath),
      this.browseTokenizer,
      labelled(trans.__('Classes'), this.classes)
    );
    const run = element('div', 'jp-CharAttention-explorerRow');
    run.append(
      methods,
      this.runButton,
      this.cancelButton,
      this.progress,
      this.status,
      this.insertButton
    );
    this.node.append(model, run);
    this._methodBoxes.forEach(box =>
      box.addEventListener('change', () => {
        this._showOptions();
        this._methodsChanged.emit();
      })
    );
    this._showOptions();
  }

  get choices(): IRunChoices {
    return {
      modelPath: this.modelPath.value.trim(),
      tokenizerPath: this.tokenizerPath.value.trim(),
      methods: this._checked(),
      classes: this.classes.value.trim()
    };
  }

  setChoices(choices: Partial<IRunChoices>): void {
    if (choices.modelPath !== undefined) {
      this.modelPath.value = choices.modelPath;
    }
    if (choices.tokenizerPath !== undefined) {
      this.tokenizerPath.value = choices.tokenizerPath;
    }
    if (choices.classes !== undefined) {
      this.classes.value = choices.classes;
    }
    if (choices.methods !== undefined) {
      this._methodBoxes.forEach(
        (box, method) => (box.checked = choices.methods!.includes(method))
      );
      this._showOptions();
    }
  }

  /** The checked methods with their options as given in the fields. */
  requests(): Array<IExplainOptions & { method: ExplainMethod }> {
    return this._checked().map(method => ({
      ...this._options.request(method),
      method
    }));
  }

  /** Offers only the methods this model can run (the others say why not). */
  setModel(info: IModelInfo): void {
    this._methodBoxes.forEach((box, method) => {
      const reason = methodUnavailable(method, info);
      box.disabled = reason !== null;
      if (reason !== null) {
        box.checked = false;
      }
      box.title = reason ?? '';
    });
    this._showOptions();
  }

  private _checked(): ExplainMethod[] {
    return EXPLAIN_METHODS.filter(m => this._methodBoxes.get(m)!.checked);
  }

  private _showOptions(): void {
    this._options.show(this._checked());
  }

  /** Method checkboxes or their options changed. */
  get methodsChanged(): Signal<this, void> {
    return this._methodsChanged;
  }

  readonly modelPath = element('input', 'jp-CharAttention-explorerModel', {
    type: 'text'
  });
  readonly tokenizerPath = element(
    'input',
    'jp-CharAttention-explorerTokenizer',
    { type: 'text' }
  );
  readonly classes = element('input', 'jp-CharAttention-explorerClasses', {
    type: 'text'
  });
  readonly browseModel = element('button', 'jp-mod-styled');
  readonly browseTokenizer = element('button', 'jp-mod-styled');
  readonly runButton = element(
    'button',
    'jp-mod-styled jp-mod-accept jp-CharAttention-explorerRun'
  );
  readonly cancelButton = element(
    'button',
    'jp-mod-styled jp-CharAttention-explorerCancel'
  );
  readonly insertButton = element(
    'button',
    'jp-mod-styled jp-CharAttention-explorerInsert'
  );
  readonly progress = element('progress', 'jp-CharAttention-explorerProgress');
  readonly status = element('span', 'jp-CharAttention-explorerStatus');
  private _methodBoxes = new Map<ExplainMethod, HTMLInputElement>();
  private _options: MethodOptionFields;
  private _methodsChanged = new Signal<this, void>(this);
}

export class FilterBar extends Widget {
  constructor(
    trans: TranslationBundle,
    titles: { [column in ColumnKey]: string }
  ) {
    super();
    this.addClass('jp-CharAttention-explorerFilters');
    this.node.setAttribute('role', 'search');
    for (const column of COLUMNS) {
      this._sortColumn.append(
        element('option', '', { value: column, textContent: titles[column] })
      );
    }
    this._sortColumn.prepend(
      element('option', '', { value: '', textContent: trans.__('file order') })
    );
    this._sortColumn.value = '';
    this._descending.checked = true;
    this._min.placeholder = '0';
    this._max.placeholder = '1';
    for (const input of [this._min, this._max]) {
      Object.assign(input, {
        type: 'number',
        step: '0.01',
        min: '0',
        max: '1'
      });
    }
    this.node.append(
      labelled(trans.__('Errors only'), this._errors),
      labelled(trans.__('False positives'), this._falsePositives),
      labelled(trans.__('False negatives'), this._falseNegatives),
      labelled(trans.__('Search text'), this._search),
      labelled(trans.__('Prediction from'), this._min),
      labelled(trans.__('to'), this._max),
      labelled(trans.__('Sort by'), this._sortColumn),
      labelled(trans.__('Descending'), this._descending),
      this.count
    );
    this.count.setAttribute('aria-live', 'polite');
    this._listen();
  }

  get filter(): IFilter {
    const number = (input: HTMLInputElement) =>
      input.value.trim() === '' || !Number.isFinite(Number(input.value))
        ? null
        : Number(input.value);
    return {
      errorsOnly: this._errors.checked,
      falsePositives: this._falsePositives.checked,
      falseNegatives: this._falseNegatives.checked,
      search: this._search.value,
      minPrediction: number(this._min),
      maxPrediction: number(this._max)
    };
  }

  get sort(): ISort | null {
    const column = this._sortColumn.value;
    return column
      ? { column: column as ColumnKey, descending: this._descending.checked }
      : null;
  }

  /** Header click: sort by `column`, or flip the direction when it already is. */
  toggleSort(column: ColumnKey): void {
    if (this._sortColumn.value === column) {
      this._descending.checked = !this._descending.checked;
    } else {
      this._sortColumn.value = column;
      this._descending.checked = column !== 'row';
    }
    this._changed.emit();
  }

  /** False positives / negatives only make sense for two classes. */
  setBinary(binary: boolean): void {
    for (const box of [this._falsePositives, this._falseNegatives]) {
      box.disabled = !binary;
      if (!binary) {
        box.checked = false;
      }
    }
  }

  get changed(): Signal<this, void> {
    return this._changed;
  }

  private _listen(): void {
    for (const input of [
      this._errors,
      this._falsePositives,
      this._falseNegatives,
      this._sortColumn,
      this._descending,
      this._min,
      this._max
    ]) {
      input.addEventListener('change', () => this._changed.emit());
    }
    this._search.addEventListener('input', () => this._changed.emit());
  }

  readonly count = element('span', 'jp-CharAttention-explorerCount');
  private _errors = element('input', 'jp-CharAttention-explorerErrors', {
    type: 'checkbox'
  });
  private _falsePositives = element('input', 'jp-CharAttention-explorerFP', {
    type: 'checkbox'
  });
  private _falseNegatives = element('input', 'jp-CharAttention-explorerFN', {
    type: 'checkbox'
  });
  private _search = element('input', 'jp-CharAttention-explorerSearch', {
    type: 'search'
  });
  private _min = element('input', 'jp-CharAttention-explorerMin');
  private _max = element('input', 'jp-CharAttention-explorerMax');
  private _sortColumn = element('select', 'jp-CharAttention-explorerSort');
  private _descending = element(
    'input',
    'jp-CharAttention-explorerDescending',
    { type: 'checkbox' }
  );
  private _changed = new Signal<this, void>(this);
}
