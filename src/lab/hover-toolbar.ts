/**
 * A small toolbar shown over a rendered table while the pointer (or keyboard
 * focus) is on it: Export as HTML…, Copy as HTML, Copy values as TSV.
 *
 * It lives in `document.body` (the renderer redraws its own node), positioned
 * at the top-right corner of the table's status line, in the room the
 * stylesheet keeps free there (so it never covers the hint or the hovered
 * value), and runs the same commands as the context menu, telling them which
 * table it is over.
 */
import type { CommandRegistry } from '@lumino/commands';
import type { IDisposable } from '@lumino/disposable';
import { RENDERED_CLASS } from './targets';

/** The table's status line (hint, then the hovered cell's value). */
const STATUS_CLASS = 'jp-CharAttention-status';

export interface IHoverToolbarItem {
  command: string;
  /** Short text on the button (the command's caption is its tooltip). */
  text: string;
}

export class HoverToolbar implements IDisposable {
  constructor(
    private readonly _commands: CommandRegistry,
    items: IHoverToolbarItem[],
    private readonly _setTarget: (node: HTMLElement | null) => void,
    ariaLabel: string,
    /**
     * Tables inside an element matching this selector get no toolbar (the
     * Attention Viewer has its own export and copy buttons).
     */
    private readonly _ignoreWithin: string | null = null
  ) {
    this._node = document.createElement('div');
    this._node.className = 'jp-CharAttention-hoverToolbar';
    this._node.setAttribute('role', 'toolbar');
    this._node.setAttribute('aria-label', ariaLabel);
    this._node.hidden = true;
    for (const item of items) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'jp-CharAttention-hoverButton';
      button.dataset.command = item.command;
      button.textContent = item.text;
      button.addEventListener('click', event => {
        event.preventDefault();
        void this._run(item.command);
      });
      this._node.append(button);
    }
    this._node.addEventListener('mouseenter', () => this._cancelHide());
    this._node.addEventListener('mouseleave', () => this._scheduleHide());
    document.body.append(this._node);
    document.addEventListener('mouseover', this._onPointer, true);
    document.addEventListener('focusin', this._onPointer, true);
    document.addEventListener('scroll', this._onScroll, true);
  }

  get node(): HTMLElement {
    return this._node;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    document.removeEventListener('mouseover', this._onPointer, true);
    document.removeEventListener('focusin', this._onPointer, true);
    document.removeEventListener('scroll', this._onScroll, true);
    window.clearTimeout(this._hideTimer);
    this._node.remove();
  }

  private async _run(command: string): Promise<void> {
    const target = this._target;
    if (!target || !target.isConnected) {
      return;
    }
    this._setTarget(target);
    try {
      await this._commands.execute(command);
    } finally {
      this._setTarget(null);
    }
  }

  private _onPointer = (event: Event): void => {
    const element = event.target as HTMLElement | null;
    if (!element || typeof element.closest !== 'function') {
      return;
    }
    if (this._node.contains(element)) {
      this._cancelHide();
      return;
    }
    let rendered = element.closest(`.${RENDERED_CLASS}`) as HTMLElement | null;
    if (
      rendered &&
      this._ignoreWithin &&
      rendered.closest(this._ignoreWithin)
    ) {
      rendered = null;
    }
    if (!rendered) {
      if (this._target) {
        this._scheduleHide();
      }
      return;
    }
    this._cancelHide();
    if (rendered !== this._target || this._node.hidden) {
      this._show(rendered);
    }
  };

  private _onScroll = (): void => {
    if (this._target && !this._node.hidden) {
      this._position(this._target);
    }
  };

  private _show(rendered: HTMLElement): void {
    this._target = rendered;
    for (const button of Array.from(this._node.querySelectorAll('button'))) {
      const command = (button as HTMLButtonElement).dataset.command ?? '';
      (button as HTMLButtonElement).title = this._commands.caption(command);
      (button as HTMLButtonElement).setAttribute(
        'aria-label',
        this._commands.label(command)
      );
    }
    this._node.hidden = false;
    this._position(rendered);
  }

  private _position(rendered: HTMLElement): void {
    if (!rendered.isConnected) {
      this._hide();
      return;
    }
    const box = rendered.getBoundingClientRect();
    if (box.bottom < 0 || box.top > window.innerHeight || box.width === 0) {
      this._node.style.visibility = 'hidden';
      return;
    }
    this._node.style.visibility = '';
    const width = this._node.offsetWidth;
    const status = rendered.querySelector(`.${STATUS_CLASS}`);
    const top = status ? status.getBoundingClientRect().top : box.top;
    this._node.style.top = `${Math.max(0, top)}px`;
    this._node.style.left = `${Math.max(0, box.right - width)}px`;
  }

  private _scheduleHide(): void {
    window.clearTimeout(this._hideTimer);
    this._hideTimer = window.setTimeout(() => this._hide(), 400);
  }

  private _cancelHide(): void {
    window.clearTimeout(this._hideTimer);
  }

  private _hide(): void {
    this._node.hidden = true;
    this._target = null;
  }

  private _node: HTMLElement;
  private _target: HTMLElement | null = null;
  private _hideTimer = 0;
  private _disposed = false;
}
