/** @jest-environment jsdom */
import { CommandRegistry } from '@lumino/commands';
import { HoverToolbar } from '../../src/lab/hover-toolbar';

describe('HoverToolbar', () => {
  function setup() {
    const commands = new CommandRegistry();
    const ran: Array<HTMLElement | null> = [];
    let target: HTMLElement | null = null;
    commands.addCommand('test:copy', {
      label: 'Copy',
      caption: 'Copy the table',
      execute: () => {
        ran.push(target);
      }
    });
    const table = document.createElement('div');
    table.className = 'jp-RenderedCharAttention';
    const cell = document.createElement('span');
    table.append(cell);
    document.body.append(table);
    const toolbar = new HoverToolbar(
      commands,
      [{ command: 'test:copy', text: 'Copy' }],
      node => (target = node),
      'Table actions'
    );
    return { toolbar, table, cell, ran };
  }

  afterEach(() => {
    document.body.textContent = '';
  });

  it('shows over a hovered table and runs commands on that table', async () => {
    const { toolbar, table, cell, ran } = setup();
    expect(toolbar.node.hidden).toBe(true);
    cell.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(toolbar.node.hidden).toBe(false);
    toolbar.node.querySelector('button')!.click();
    await Promise.resolve();
    expect(ran).toEqual([table]);
    toolbar.dispose();
  });

  it('shows no toolbar over a table inside an ignored container', () => {
    const commands = new CommandRegistry();
    const viewer = document.createElement('div');
    viewer.className = 'viewer';
    const table = document.createElement('div');
    table.className = 'jp-RenderedCharAttention';
    const cell = document.createElement('span');
    table.append(cell);
    viewer.append(table);
    document.body.append(viewer);
    const toolbar = new HoverToolbar(
      commands,
      [],
      () => undefined,
      'Table actions',
      '.viewer'
    );
    cell.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(toolbar.node.hidden).toBe(true);
    toolbar.dispose();
  });

  it('removes its document listeners and node on dispose', () => {
    const added: Array<[string, unknown]> = [];
    const removed: Array<[string, unknown]> = [];
    const add = jest
      .spyOn(document, 'addEventListener')
      .mockImplementation(function (this: Document, type, listener, options) {
        added.push([type, listener]);
        return EventTarget.prototype.addEventListener.call(
          this,
          type,
          listener,
          options
        );
      });
    const remove = jest
      .spyOn(document, 'removeEventListener')
      .mockImplementation(function (this: Document, type, listener, options) {
        removed.push([type, listener]);
        return EventTarget.prototype.removeEventListener.call(
          this,
          type,
          listener,
          options
        );
      });
    try {
      const { toolbar, cell } = setup();
      expect(added.map(([type]) => type).sort()).toEqual([
        'focusin',
        'mouseover',
        'scroll'
      ]);
      toolbar.dispose();
      expect(removed).toEqual(expect.arrayContaining(added));
      expect(removed).toHaveLength(added.length);
      expect(toolbar.node.isConnected).toBe(false);
      expect(toolbar.isDisposed).toBe(true);
      // Hovering after dispose does nothing (no listener left).
      cell.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      expect(toolbar.node.hidden).toBe(true);
    } finally {
      add.mockRestore();
      remove.mockRestore();
    }
  });
});
