/** @jest-environment jsdom */
import { normalizePayload } from '../../src/payload/normalize';
import { Payload } from '../../src/payload/types';
import { RovingFocus } from '../../src/render/roving-focus';
import {
  SampleView,
  VIRTUAL_THRESHOLD_CELLS
} from '../../src/render/sample-view';
import { INITIAL_GROUPS } from '../../src/render/windowing';
import { buildTableModel } from '../../src/table/model';
import { ENGLISH } from '../../src/table/translate';

/** A sample view (and the roving focus over it) of a payload's first sample. */
function viewOf(payload: unknown) {
  const model = buildTableModel(normalizePayload(payload as Payload));
  const root = document.createElement('div');
  document.body.appendChild(root);
  const views: SampleView[] = [];
  const focus = new RovingFocus(root, () => views);
  const changes: boolean[] = [];
  const view = new SampleView({
    model,
    sample: model.samples[0],
    index: 0,
    trans: ENGLISH,
    focusGroup: each => focus.groupIn(each),
    onWindowChanged: (_, hadFocus) => {
      changes.push(hadFocus);
      focus.applyTabIndex();
    }
  });
  views.push(view);
  root.appendChild(view.node);
  view.drawRows();
  focus.start(view);
  return { view, focus, root, changes };
}

const groups = (view: SampleView) =>
  Array.from(
    view.tableNode.querySelectorAll('tbody.jp-CharAttention-group')
  ).map(tbody => Number(tbody.getAttribute('data-group')));

afterEach(() => {
  document.body.textContent = '';
});

describe('SampleView', () => {
  it('draws header, legend and every row of a small sample', () => {
    const { view } = viewOf({
      version: 1,
      title: 'T',
      text: 'x'.repeat(120),
      attention: new Array(120).fill(0.5)
    });
    expect(view.virtual).toBe(false);
    expect(view.node.getAttribute('data-sample')).toBe('0');
    expect(
      view.node.querySelector('.jp-CharAttention-header')!.textContent
    ).toBe('Tattention120 characters');
    expect(view.node.querySelector('.jp-CharAttention-legend')).not.toBeNull();
    expect(groups(view)).toEqual([0, 1, 2]);
    expect(view.tableNode.getAttribute('aria-rowcount')).toBe('4');
    expect(view.cellNode(0, 119)!.textContent).toBe('x');
    expect(view.firstRow()!.querySelectorAll('td')).toHaveLength(50);
  });

  it('windows a large sample between two spacers and moves the window', () => {
    const n = 100000;
    const { view, changes } = viewOf({
      version: 1,
      text: 'abcdefghij'.repeat(n / 10),
      attention: Array.from({ length: n }, (_, i) => (i % 97) / 97)
    });
    expect(n).toBeGreaterThan(VIRTUAL_THRESHOLD_CELLS);
    expect(view.virtual).toBe(true);
    // No layout in jsdom: a first block of groups.
    expect(groups(view)).toEqual(
      Array.from({ length: INITIAL_GROUPS }, (_, i) => i)
    );
    const spacers = view.tableNode.querySelectorAll<HTMLElement>(
      'tbody.jp-CharAttention-spacer'
    );
    expect(spacers).toHaveLength(2);
    expect(spacers[0].style.display).toBe('none');
    const rest = (2000 - INITIAL_GROUPS) * 20;
    expect(spacers[1].querySelector('td')!.style.height).toBe(`${rest}px`);
    expect(changes).toEqual([false]);

    // Revealing a far group replaces the window and scrolls to it.
    view.reveal(1500);
    expect(groups(view)[0]).toBe(1496);
    expect(view.scroll.scrollTop).toBe(1499 * 20);
    expect(view.cellNode(0, 1500 * 50)).not.toBeNull();
    expect(view.cellNode(0, 0)).toBeNull();
    expect(spacers[0].querySelector('td')!.style.height).toBe(`${1496 * 20}px`);
    // A group already drawn: nothing changes.
    const before = changes.length;
    view.reveal(1500);
    expect(changes).toHaveLength(before);
  });

  it('keeps exactly one Tab stop and follows the keyboard into undrawn rows', () => {
    const n = 20000;
    const { view, focus, root } = viewOf({
      version: 1,
      text: 'ab'.repeat(n / 2),
      attention: new Array(n).fill(0.1)
    });
    const stops = () => root.querySelectorAll('td[tabindex="0"]');
    expect(stops()).toHaveLength(1);
    expect(focus.current).toEqual({ sample: 0, series: 0, pos: 0 });
    const first = stops()[0] as HTMLElement;
    first.focus();
    const event = new KeyboardEvent('keydown', {
      key: 'End',
      ctrlKey: true,
      bubbles: true,
      cancelable: true
    });
    first.dispatchEvent(event);
    expect(focus.keyDown(event)).toBe(true);
    expect(event.defaultPrevented).toBe(true);
    expect(document.activeElement!.getAttribute('data-pos')).toBe(
      String(n - 1)
    );
    expect(stops()).toHaveLength(1);
    expect(focus.groupIn(view)).toBe(n / 50 - 1);
  });

  it('draws a sample without values as plain text without a legend', () => {
    const { view } = viewOf({
      version: 1,
      text: 'ab',
      attention: [null, null]
    });
    expect(view.node.querySelector('.jp-CharAttention-legend')).toBeNull();
    expect(
      view.node.querySelectorAll('td.jp-CharAttention-plain')
    ).toHaveLength(2);
  });
});
