/**
 * @jest-environment jsdom
 *
 * The Attention Viewer's widgets, each on its own (jsdom): the method
 * section generated from the method registry, the model, input, texts and
 * display sections with their signals; then the whole viewer over the real
 * worker protocol with a stand-in model that has its own TextVectorization
 * layer: it loads without a tokenizer file and computes the table (the
 * same on the real fixture model: session-real-models.spec.ts and e2e).
 */
import { nullTranslator } from '@jupyterlab/translation';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';
import { EXPLAIN_METHODS } from '../../src/explain/registry';
import { createExplainer } from '../../src/explain';
import type { ILoadedModel } from '../../src/model/engine';
import { ModelError } from '../../src/model/types';
import type { IModelInfo } from '../../src/model/types';
import type { IBatchPayload, Payload } from '../../src/payload/types';
import { ModelSession } from '../../src/lab/model-session';
import { AttentionViewer } from '../../src/lab/panel';
import { LabSettings, DEFAULT_LAB_SETTINGS } from '../../src/lab/settings';
import { DisplaySection } from '../../src/lab/viewer/display-section';
import { InputSection } from '../../src/lab/viewer/input-section';
import { MethodSection } from '../../src/lab/viewer/method-section';
import { ModelSection } from '../../src/lab/viewer/model-section';
import { TextsSection } from '../../src/lab/viewer/texts-section';
import { WorkerPool } from '../../src/workers/pool';
import { createRequestHandler } from '../../src/workers/protocol';
import { fakeWorkerFactory, FakeWorker } from './fake-worker';

const trans = nullTranslator.load('jupyterlab-char-attention');

function info(attentionLayer: string | null): IModelInfo {
  return {
    format: 'keras-v3',
    inputLength: null,
    vocabularySize: 30,
    attentionLayer,
    attentionChosenBy: attentionLayer ? 'auto' : null,
    layers: [
      { name: 'embedding', className: 'Embedding', outputShape: [null, 6] }
    ]
  };
}

function input(node: HTMLElement, className: string): HTMLInputElement {
  return node.querySelector(`.${className}`) as HTMLInputElement;
}

function change(element: HTMLInputElement | HTMLSelectElement, value: string) {
  element.value = value;
  element.dispatchEvent(new Event('change'));
}

describe('MethodSection (generated from the method registry)', () => {
  it('offers the registry methods in order, with each method’s own option fields only', () => {
    const section = new MethodSection(trans);
    const picker = section.node.querySelector(
      '.jp-CharAttention-methodPicker'
    ) as HTMLSelectElement;
    expect(Array.from(picker.options, o => o.value)).toEqual([
      ...EXPLAIN_METHODS
    ]);
    expect(Array.from(picker.options, o => o.textContent)).toEqual([
      'attention',
      'occlusion',
      'gradient × input',
      'integrated gradients'
    ]);
    const shown = () =>
      ['window', 'steps', 'tolerance', 'target'].filter(
        name =>
          !(
            input(section.node, `jp-CharAttention-${name}`).closest(
              'label'
            ) as HTMLElement
          ).hidden
      );
    section.setMethod('occlusion');
    expect(shown()).toEqual(['window', 'target']);
    section.setMethod('integrated-gradients');
    expect(shown()).toEqual(['steps', 'tolerance', 'target']);
    // Empty steps: adaptive (no steps in the request); the tolerance's default.
    const steps = input(section.node, 'jp-CharAttention-steps');
    expect(steps.value).toBe('');
    expect(steps.placeholder).toBe('automatic');
    expect(section.options()).toEqual({
      method: 'integrated-gradients',
      tolerance: 0.01
    });
    steps.value = '64';
    input(section.node, 'jp-CharAttention-target').value = '2';
    expect(section.options()).toEqual({
      method: 'integrated-gradients',
      steps: 64,
      tolerance: 0.01,
      target: 2
    });
    section.setMethod('attention');
    expect(shown()).toEqual([]);
    expect(section.options()).toEqual({ method: 'attention' });
    section.dispose();
  });

  it('disables what the model cannot run and opens on its attention or the fallback', () => {
    const section = new MethodSection(trans);
    let changes = 0;
    section.changed.connect(() => changes++);
    section.setModel(info(null), 'occlusion');
    const picker = section.node.querySelector(
      '.jp-CharAttention-methodPicker'
    ) as HTMLSelectElement;
    const attention = picker.querySelector(
      'option[value="attention"]'
    ) as HTMLOptionElement;
    expect(attention.disabled).toBe(true);
    expect(attention.title).toBe('the model has no attention layer');
    expect(section.method).toBe('occlusion');
    section.setModel(info('attention_vec'), 'occlusion');
    expect(section.method).toBe('attention');
    // A choice of the user stays while the model can run it.
    change(picker, 'grad-x-input');
    expect(changes).toBe(1);
    section.setModel(info('attention_vec'), 'occlusion');
    expect(section.method).toBe('grad-x-input');
    section.dispose();
  });

  it('shows a run and emits Cancel', () => {
    const section = new MethodSection(trans);
    let cancels = 0;
    section.cancelRequested.connect(() => cancels++);
    section.showRun(0.5, 'integrated gradients: 33 of 65 gradient passes');
    const status = section.node.querySelector('.jp-CharAttention-runStatus')!;
    const cancel = section.node.querySelector(
      '.jp-CharAttention-runCancel'
    ) as HTMLButtonElement;
    expect(status.textContent).toBe(
      'integrated gradients: 33 of 65 gradient passes'
    );
    expect(cancel.hidden).toBe(false);
    cancel.click();
    expect(cancels).toBe(1);
    section.endRun('Cancelled.');
    expect(cancel.hidden).toBe(true);
    expect(status.textContent).toBe('Cancelled.');
    section.dispose();
  });
});

describe('ModelSection, InputSection, TextsSection, DisplaySection', () => {
  it('the model section emits load, browse, cancel and explore, and keeps what the user typed', () => {
    const section = new ModelSection(trans);
    const events: string[] = [];
    section.loadRequested.connect(() => events.push('load'));
    section.browseRequested.connect((_, kind) => events.push(`browse ${kind}`));
    section.cancelRequested.connect(() => events.push('cancel'));
    section.exploreRequested.connect(() => events.push('explore'));
    (
      section.node.querySelector('.jp-CharAttention-load') as HTMLElement
    ).click();
    (
      section.node.querySelector(
        '.jp-CharAttention-browseTokenizer'
      ) as HTMLElement
    ).click();
    (
      section.node.querySelector('.jp-CharAttention-cancel') as HTMLElement
    ).click();
    (
      section.node.querySelector(
        '.jp-CharAttention-openExplorer'
      ) as HTMLElement
    ).click();
    expect(events).toEqual(['load', 'browse tokenizer', 'cancel', 'explore']);
    section.setPath('model', 'a.keras');
    section.setPath('model', 'b.keras', true);
    expect(section.modelPath).toBe('a.keras');
    section.setStatus('Loaded a.keras.', 'success');
    const status = section.node.querySelector(
      '.jp-CharAttention-modelStatus'
    ) as HTMLElement;
    expect(status.dataset.kind).toBe('success');
    section.dispose();
  });

  it('the input section shows what the loader found and emits the choices', () => {
    const section = new InputSection(trans);
    const choices: unknown[] = [];
    section.inputChanged.connect((_, c) => choices.push(c));
    section.showModel({
      info: { ...info(null), inferences: ['a Lambda read as sum(axis=1)'] },
      input: {
        attentionLayer: '',
        maxlen: null,
        padding: 'pre',
        truncating: 'pre',
        lengths: 'own'
      },
      tokenizer: 'tokenizer.json'
    });
    expect(
      section.node.querySelector('.jp-CharAttention-modelInfo')!.textContent
    ).toBe(
      'Format keras-v3 · 1 layers · vocabulary 30 · no attention layer: occlusion and gradient methods only · tokenizer: tokenizer.json'
    );
    expect(
      section.node.querySelector('.jp-CharAttention-inferences')!.textContent
    ).toBe('Inferred: a Lambda read as sum(axis=1)');
    const maxlen = input(section.node, 'jp-CharAttention-maxlen');
    expect(maxlen.value).toBe('');
    expect(maxlen.placeholder).toBe('each text’s own length');
    change(maxlen, '12');
    change(maxlen, '');
    change(
      section.node.querySelector(
        '.jp-CharAttention-padding'
      ) as HTMLSelectElement,
      'post'
    );
    expect(choices).toEqual([
      { maxlen: 12 },
      { maxlen: null },
      { padding: 'post' }
    ]);
    section.dispose();
  });

  it('the texts section gives one text per non-empty line; the display section applies its choices', () => {
    const texts = new TextsSection(trans);
    let edits = 0;
    texts.edited.connect(() => edits++);
    const area = texts.node.querySelector('textarea')!;
    area.value = 'one\n\n  \ntwo\r\nthree';
    area.dispatchEvent(new Event('input'));
    expect(texts.texts).toEqual(['one', 'two', 'three']);
    expect(edits).toBe(1);
    texts.setTexts(['x']);
    expect(edits).toBe(1);
    const display = new DisplaySection(trans, { charsPerRow: 40 });
    expect(display.apply({ colormap: 'Blues' })).toEqual({
      colormap: 'Blues',
      charsPerRow: 40
    });
    change(
      display.node.querySelector(
        '.jp-CharAttention-colormap'
      ) as HTMLSelectElement,
      'viridis'
    );
    expect(display.apply({})).toEqual({ colormap: 'viridis', charsPerRow: 40 });
    texts.dispose();
    display.dispose();
  });
});

describe('AttentionViewer', () => {
  /**
   * The real worker protocol with a stand-in model that has its own
   * TextVectorization layer: attention (p + 1) / 10 at model position p.
   */
  function standIn(worker: FakeWorker) {
    const modelInfo: IModelInfo = {
      ...info('attention_vec'),
      inputLength: 4,
      inferences: [
        "the attention layer 'attention_vec' was found automatically"
      ],
      tokenizer: {
        kind: 'TextVectorization',
        layer: 'tv',
        vocabulary: ['', '[UNK]', 'a', 'b'],
        standardize: null,
        outputSequenceLength: 4
      }
    };
    const handle = createRequestHandler(
      {
        engine: async () => async (files: { [name: string]: unknown }) => {
          if (Object.keys(files).some(name => name.includes('broken'))) {
            throw new ModelError('broken.keras: not a Keras model file');
          }
          return {
            info: modelInfo,
            predict: async (sequences: number[][]) => ({
              predictions: sequences.map(() => [0.5]),
              attention: sequences.map(s => s.map((_, p) => (p + 1) / 10))
            }),
            forward: async (sequences: number[][]) =>
              sequences.map(() => [0.5]),
            dispose: () => undefined
          } as unknown as ILoadedModel;
        },
        explainer: async () => createExplainer
      },
      response => worker.reply(response)
    );
    worker.handler = message => void handle(message);
  }

  /** A viewer over the stand-in model; a model file named broken.keras fails to load. */
  function setup() {
    const { factory } = fakeWorkerFactory(standIn);
    const settings = new LabSettings({
      ...DEFAULT_LAB_SETTINGS,
      lambdas: {},
      debounceMs: 0
    });
    const session = new ModelSession({
      contents: {
        async get() {
          return { type: 'file', format: 'base64', content: 'AAEC' };
        }
      },
      client: new WorkerPool({ spawn: factory, size: 1, idleMs: 0 }),
      settings: () => settings.current
    });
    const rendered: Payload[] = [];
    const rendermime = {
      createRenderer: () =>
        Object.assign(new Widget(), {
          renderModel: async (model: { data: { [mime: string]: unknown } }) => {
            rendered.push(Object.values(model.data)[0] as Payload);
          }
        })
    } as unknown as IRenderMimeRegistry;
    const errors: string[] = [];
    const explorers: Array<{ modelPath: string; tokenizerPath: string }> = [];
    const viewer = new AttentionViewer({
      session,
      settings,
      rendermime,
      trans,
      actions: {
        pickFile: async () => null,
        insertIntoNotebook: async () => undefined,
        exportHtml: async () => undefined,
        copyTsv: async () => undefined,
        notifyError: message => errors.push(message),
        openExplorer: model => explorers.push(model)
      }
    });
    Widget.attach(viewer, document.body);
    const text = (className: string) =>
      viewer.node.querySelector(`.${className}`)!.textContent;
    /** Types texts; waits for a new table or a notice (debounce 0). */
    const typeTexts = async (value: string) => {
      const before = rendered.length;
      const area = viewer.node.querySelector('textarea')!;
      area.value = value;
      area.dispatchEvent(new Event('input'));
      for (
        let wait = 0;
        wait < 200 &&
        rendered.length === before &&
        !text('jp-CharAttention-notices');
        wait++
      ) {
        await new Promise(resolve => setTimeout(resolve, 10));
      }
    };
    const close = () => {
      Widget.detach(viewer);
      viewer.dispose();
      session.dispose();
    };
    return { viewer, rendered, errors, explorers, text, typeTexts, close };
  }

  it('loads a model with its own TextVectorization layer and no tokenizer file, computes as the user types, shows the table', async () => {
    const { viewer, rendered, errors, explorers, text, typeTexts, close } =
      setup();
    await viewer.openModel('models/tv.keras');
    expect(errors).toEqual([]);
    expect(viewer.node.dataset.modelState).toBe('ready');
    expect(text('jp-CharAttention-modelStatus')).toBe(
      "Loaded models/tv.keras with the model's TextVectorization layer 'tv'."
    );
    expect(viewer.method).toBe('attention');
    await typeTexts('ab\nbax');
    expect(rendered).toHaveLength(1);
    const payload = rendered[0] as IBatchPayload;
    // The layer pads at the end: 'ab' is positions 0, 1; 'x' is out of vocabulary.
    expect(payload.samples.map(s => s.attention)).toEqual([
      [0.1, 0.2],
      [0.1, 0.2, 0.3]
    ]);
    expect(text('jp-CharAttention-notices')).toBe(
      'text 2: 1 character not in the vocabulary ("x"), mapped to the oov token'
    );
    const insert = viewer.node.querySelector(
      '.jp-CharAttention-insert'
    ) as HTMLButtonElement;
    expect(insert.disabled).toBe(false);
    // "Evaluate a test set…" opens the explorer with the viewer's model.
    const explore = viewer.node.querySelector(
      '.jp-CharAttention-openExplorer'
    ) as HTMLButtonElement;
    expect(explore.textContent).toBe('Evaluate a test set…');
    explore.click();
    expect(explorers).toEqual([
      { modelPath: 'models/tv.keras', tokenizerPath: '' }
    ]);
    close();
  });

  it('after a failed load shows the error and nothing of the previous model: no facts, no table, no actions', async () => {
    const { viewer, rendered, errors, text, typeTexts, close } = setup();
    await viewer.openModel('models/tv.keras');
    await typeTexts('ab');
    expect(rendered).toHaveLength(1);
    const result = viewer.node.querySelector('.jp-CharAttention-panelResult')!;
    expect(result.children).toHaveLength(1);
    expect(text('jp-CharAttention-modelInfo')).toMatch(/^Format keras-v3 · /);
    expect(text('jp-CharAttention-inferences')).toBe(
      "Inferred: the attention layer 'attention_vec' was found automatically"
    );
    await viewer.openModel('models/broken.keras');
    expect(viewer.node.dataset.modelState).toBe('error');
    const status = viewer.node.querySelector(
      '.jp-CharAttention-modelStatus'
    ) as HTMLElement;
    expect([status.textContent, status.dataset.kind]).toEqual([
      'broken.keras: not a Keras model file',
      'error'
    ]);
    expect(errors).toEqual([
      'Could not load the model: broken.keras: not a Keras model file'
    ]);
    expect(text('jp-CharAttention-modelInfo')).toBe('No model loaded.');
    expect(text('jp-CharAttention-inferences')).toBe('');
    expect(viewer.node.querySelectorAll('datalist option')).toHaveLength(0);
    expect(result.children).toHaveLength(0);
    expect(viewer.payload).toBeNull();
    expect(text('jp-CharAttention-notices')).toBe('');
    for (const action of ['insert', 'export', 'copyTsv']) {
      const button = viewer.node.querySelector(
        `.jp-CharAttention-${action}`
      ) as HTMLButtonElement;
      expect({ action, disabled: button.disabled }).toEqual({
        action,
        disabled: true
      });
    }
    // Typing computes nothing without a model; it says to load one.
    await typeTexts('ba');
    expect(rendered).toHaveLength(1);
    expect(text('jp-CharAttention-notices')).toBe(
      'Load a model to see the attention of these texts.'
    );
    close();
  });
});
