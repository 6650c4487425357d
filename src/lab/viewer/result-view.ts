/**
 * The viewer's table: the application's renderer of the payload MIME type,
 * made on first use. While the viewer is hidden the payload waits and is
 * drawn when it is shown (a hidden table costs main-thread time).
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { MimeModel } from '@jupyterlab/rendermime';
import type { Message } from '@lumino/messaging';
import { Panel } from '@lumino/widgets';
import { MIME_TYPE } from '../../payload/types';
import type { Payload } from '../../payload/types';

export class ResultView extends Panel {
  constructor(
    private _rendermime: IRenderMimeRegistry,
    private _onError: (error: unknown) => void
  ) {
    super();
    this.addClass('jp-CharAttention-panelResult');
  }

  /** Draw `payload` now if visible, else when shown. */
  showPayload(payload: Payload, visible: boolean): void {
    this._pending = payload;
    if (visible) {
      this._draw();
    }
  }

  /** No table: the one drawn (or waiting) is removed. */
  clear(): void {
    this._pending = null;
    this._renderer?.dispose();
    this._renderer = null;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._draw();
  }

  /** Draws the payload waiting to be drawn, if any. */
  drawPending(): void {
    this._draw();
  }

  private _draw(): void {
    const payload = this._pending;
    if (!payload) {
      return;
    }
    this._pending = null;
    if (!this._renderer) {
      try {
        this._renderer = this._rendermime.createRenderer(MIME_TYPE);
      } catch (error) {
        this._onError(error);
        return;
      }
      this.addWidget(this._renderer);
    }
    const model = new MimeModel({
      data: { [MIME_TYPE]: payload as any },
      trusted: true
    });
    void this._renderer.renderModel(model);
  }

  private _renderer: IRenderMime.IRenderer | null = null;
  private _pending: Payload | null = null;
}
