/** @jest-environment jsdom */
import { nullTranslator } from '@jupyterlab/translation';
import {
  OUTPUT_PROGRESS_CLASS,
  OutputProgress
} from '../../src/lab/output-progress';

const trans = nullTranslator.load('test');

describe('OutputProgress', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setup() {
    const host = document.createElement('div');
    host.innerHTML = '<div class="output">printed</div>';
    document.body.append(host);
    let cancelled = 0;
    const progress = new OutputProgress({
      host,
      trans,
      onCancel: () => cancelled++,
      delayMs: 400
    });
    return { host, progress, cancelled: () => cancelled };
  }

  it('shows nothing for a fast run, then appears after the output', () => {
    const { host, progress } = setup();
    expect(host.querySelector(`.${OUTPUT_PROGRESS_CLASS}`)).toBeNull();
    jest.advanceTimersByTime(399);
    expect(host.querySelector(`.${OUTPUT_PROGRESS_CLASS}`)).toBeNull();
    jest.advanceTimersByTime(1);
    expect(host.lastElementChild).toBe(progress.node);
    expect(host.firstElementChild?.textContent).toBe('printed');
    progress.dispose();
    expect(host.children.length).toBe(1);
  });

  it('a run that ends before the delay never shows it', () => {
    const { host, progress } = setup();
    progress.dispose();
    jest.advanceTimersByTime(1000);
    expect(host.querySelector(`.${OUTPUT_PROGRESS_CLASS}`)).toBeNull();
  });

  it('reports progress and cancels once', () => {
    const { progress, cancelled } = setup();
    jest.advanceTimersByTime(400);
    progress.update(0.25, 'occlusion: 2 of 8 steps');
    const bar = progress.node.querySelector('progress')!;
    expect(bar.value).toBe(0.25);
    expect(progress.node.textContent).toContain('occlusion: 2 of 8 steps');
    progress.update(null, 'loading');
    expect(bar.hasAttribute('value')).toBe(false);
    const cancel = progress.node.querySelector('button')!;
    cancel.click();
    cancel.click();
    expect(cancelled()).toBe(1);
    expect(progress.node.textContent).toContain('Cancelling');
    // Late progress does not overwrite "Cancelling…".
    progress.update(0.5, 'occlusion: 4 of 8 steps');
    expect(progress.node.textContent).toContain('Cancelling');
  });
});
