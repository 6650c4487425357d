/**
 * @jest-environment jsdom
 *
 * The explorer's run bar (jsdom): its methods and their option fields come
 * from the method registry (the fields the viewer's method section uses),
 * shown for the checked methods only; the requests carry the options typed;
 * methods the model cannot run are disabled with the reason.
 */
import { nullTranslator } from '@jupyterlab/translation';
import { EXPLAIN_METHODS } from '../../../src/explain/registry';
import { RunBar } from '../../../src/lab/explorer/controls';
import type { IModelInfo } from '../../../src/model/types';

const trans = nullTranslator.load('jupyterlab-char-attention');

function box(bar: RunBar, method: string): HTMLInputElement {
  return bar.node.querySelector(
    `input[data-method="${method}"]`
  ) as HTMLInputElement;
}

function field(bar: RunBar, name: string): HTMLInputElement {
  return bar.node.querySelector(
    `.jp-CharAttention-${name}`
  ) as HTMLInputElement;
}

function shown(bar: RunBar): string[] {
  return ['window', 'steps', 'tolerance', 'target'].filter(
    name => !(field(bar, name).closest('label') as HTMLElement).hidden
  );
}

function check(bar: RunBar, method: string, checked: boolean): void {
  const input = box(bar, method);
  input.checked = checked;
  input.dispatchEvent(new Event('change'));
}

describe('RunBar', () => {
  it('offers the registry methods in order, labelled as the registry says', () => {
    const bar = new RunBar(trans);
    const boxes = Array.from(
      bar.node.querySelectorAll('input[data-method]'),
      b => (b as HTMLInputElement).value
    );
    expect(boxes).toEqual([...EXPLAIN_METHODS]);
    expect(
      (box(bar, 'grad-x-input').closest('label') as HTMLElement).textContent
    ).toBe('gradient × input');
    bar.dispose();
  });

  it('shows the option fields of the checked methods only, and their values reach the requests', () => {
    const bar = new RunBar(trans);
    let changes = 0;
    bar.methodsChanged.connect(() => changes++);
    expect(shown(bar)).toEqual([]);
    check(bar, 'occlusion', true);
    expect(shown(bar)).toEqual(['window', 'target']);
    check(bar, 'integrated-gradients', true);
    expect(shown(bar)).toEqual(['window', 'steps', 'tolerance', 'target']);
    expect(field(bar, 'steps').placeholder).toBe('automatic');
    expect(bar.requests()).toEqual([
      { method: 'occlusion', window: 1 },
      { method: 'integrated-gradients', tolerance: 0.01 }
    ]);
    const steps = field(bar, 'steps');
    steps.value = '256';
    steps.dispatchEvent(new Event('change'));
    field(bar, 'window').value = '3';
    expect(bar.requests()).toEqual([
      { method: 'occlusion', window: 3 },
      { method: 'integrated-gradients', steps: 256, tolerance: 0.01 }
    ]);
    check(bar, 'occlusion', false);
    expect(shown(bar)).toEqual(['steps', 'tolerance', 'target']);
    expect(changes).toBe(4);
    bar.setChoices({ methods: ['attention'] });
    expect(shown(bar)).toEqual([]);
    expect(bar.requests()).toEqual([{ method: 'attention' }]);
    bar.dispose();
  });

  it('disables what the model cannot run, saying why', () => {
    const bar = new RunBar(trans);
    bar.setChoices({ methods: ['attention', 'occlusion'] });
    const info: IModelInfo = {
      format: 'keras-v3',
      inputLength: 12,
      vocabularySize: 30,
      attentionLayer: null,
      attentionChosenBy: null,
      layers: [
        { name: 'embedding', className: 'Embedding', outputShape: [null, 6] }
      ]
    };
    bar.setModel(info);
    expect(box(bar, 'attention').disabled).toBe(true);
    expect(box(bar, 'attention').checked).toBe(false);
    expect(box(bar, 'attention').title).toBe(
      'the model has no attention layer'
    );
    expect(box(bar, 'occlusion').disabled).toBe(false);
    expect(bar.choices.methods).toEqual(['occlusion']);
    bar.setModel({ ...info, layers: [] });
    expect(box(bar, 'grad-x-input').disabled).toBe(true);
    expect(box(bar, 'grad-x-input').title).toMatch(/no Embedding layer/);
    bar.dispose();
  });
});
