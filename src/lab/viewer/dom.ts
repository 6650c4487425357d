/**
 * Small DOM builders shared by the Attention Viewer's sections: a titled
 * section, a labelled field, inputs, selects and buttons with the
 * extension's classes (`jp-mod-styled`, `jp-Button`).
 */

let counter = 0;

/** A number unique in this page (element ids). */
export function nextId(): number {
  return ++counter;
}

export function section(title: string, className: string): HTMLElement {
  const element = document.createElement('fieldset');
  element.className = `jp-CharAttention-section ${className}`;
  const legend = document.createElement('legend');
  legend.textContent = title;
  element.append(legend);
  return element;
}

export function field(
  label: string,
  control: HTMLElement,
  ...extra: HTMLElement[]
): HTMLElement {
  const wrapper = document.createElement('label');
  wrapper.className = 'jp-CharAttention-field';
  const text = document.createElement('span');
  text.className = 'jp-CharAttention-fieldLabel';
  text.textContent = label;
  wrapper.append(text, control, ...extra);
  return wrapper;
}

export function textInput(
  className: string,
  placeholder: string
): HTMLInputElement {
  const input = document.createElement('input');
  input.type = 'text';
  input.className = `${className} jp-mod-styled`;
  input.placeholder = placeholder;
  input.spellcheck = false;
  return input;
}

export function select(
  className: string,
  values: readonly string[],
  labels: { [value: string]: string } = {}
): HTMLSelectElement {
  const element = document.createElement('select');
  element.className = `${className} jp-mod-styled`;
  for (const value of values) {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = labels[value] ?? value;
    element.append(option);
  }
  return element;
}

export function numberInput(
  className: string,
  value: number | '',
  min: number
): HTMLInputElement {
  const input = document.createElement('input');
  input.type = 'number';
  input.min = String(min);
  input.value = String(value);
  input.className = `${className} jp-mod-styled`;
  return input;
}

export function button(
  label: string,
  className: string,
  onClick: () => void
): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = `${className} jp-Button jp-mod-styled`;
  element.textContent = label;
  element.addEventListener('click', onClick);
  return element;
}

/** A progress bar, hidden until used. */
export function progressBar(
  className: string,
  label: string
): HTMLProgressElement {
  const progress = document.createElement('progress');
  progress.className = className;
  progress.max = 1;
  progress.hidden = true;
  progress.setAttribute('aria-label', label);
  return progress;
}

/** Shows a fraction, or an indeterminate bar for null. */
export function setProgress(
  progress: HTMLProgressElement,
  fraction: number | null
): void {
  progress.hidden = false;
  if (fraction === null) {
    progress.removeAttribute('value');
  } else {
    progress.value = fraction;
  }
}

/** A row of controls. */
export function row(...children: HTMLElement[]): HTMLElement {
  const element = document.createElement('div');
  element.className = 'jp-CharAttention-row';
  element.append(...children);
  return element;
}

/** The integer in an input, or undefined when empty or not one. */
export function integerOf(input: HTMLInputElement): number | undefined {
  const value = parseInt(input.value, 10);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}
