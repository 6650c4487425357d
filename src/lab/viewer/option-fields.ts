/**
 * The explanation methods' option fields, generated from the registry's
 * option specs (`allMethodOptions`): one number field per option (range,
 * step, default, placeholder and help from its spec), shown for the chosen
 * methods only, read back as the options of a request. Used by the
 * viewer's method section and by the explorer. Nothing here names a method
 * or an option.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import {
  allMethodOptions,
  describeMethod,
  ExplainMethod
} from '../../explain/registry';
import type { IExplainOptions, IMethodOption } from '../../explain/types';
import { field } from './dom';

export class MethodOptionFields {
  /** `onChange` runs when the user changes a field. */
  constructor(trans: TranslationBundle, onChange: () => void) {
    for (const option of allMethodOptions()) {
      const input = Private.optionInput(option, trans);
      input.addEventListener('change', onChange);
      const wrapper = field(trans.__(option.label), input);
      this._fields.set(option.name, { option, input, wrapper });
    }
  }

  /** The fields' labelled wrappers, to put in a form. */
  get nodes(): HTMLElement[] {
    return [...this._fields.values()].map(entry => entry.wrapper);
  }

  /** Shows the fields of these methods' options (once each), hides the others. */
  show(methods: readonly ExplainMethod[]): void {
    const visible = new Set(
      methods.flatMap(m => describeMethod(m).options.map(o => o.name))
    );
    for (const [name, entry] of this._fields) {
      entry.wrapper.hidden = !visible.has(name);
    }
  }

  /** The request of `method`: its options as given in the fields (empty = default). */
  request(method: ExplainMethod): IExplainOptions {
    const request: IExplainOptions = { method };
    for (const option of describeMethod(method).options) {
      const input = this._fields.get(option.name)?.input;
      if (!input) {
        continue;
      }
      const value =
        option.kind === 'integer'
          ? parseInt(input.value, 10)
          : parseFloat(input.value);
      if (Number.isFinite(value)) {
        request[option.name] = value;
      }
    }
    return request;
  }

  private _fields = new Map<string, Private.IFieldEntry>();
}

namespace Private {
  export interface IFieldEntry {
    option: IMethodOption;
    input: HTMLInputElement;
    wrapper: HTMLElement;
  }

  export function optionInput(
    option: IMethodOption,
    trans: TranslationBundle
  ): HTMLInputElement {
    const input = document.createElement('input');
    input.type = 'number';
    input.className = `jp-CharAttention-${option.name} jp-mod-styled`;
    input.min = String(option.min);
    input.max = String(option.max);
    input.step = option.kind === 'integer' ? '1' : 'any';
    input.value =
      option.defaultValue === null ? '' : String(option.defaultValue);
    input.placeholder = option.placeholder ? trans.__(option.placeholder) : '';
    input.title = trans.__(option.help);
    return input;
  }
}
