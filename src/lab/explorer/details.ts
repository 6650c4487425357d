/**
 * The attribution tables of the selected rows, drawn by the package's MIME
 * renderer (`application/x-char-attention+json`) from the rows' payload:
 * one sample per row, its header naming the methods with their
 * comprehensiveness, sufficiency and agreement.
 */
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { MimeModel } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import { MIME_TYPE } from '../../payload/types';
import type { IBatchPayload } from '../../payload/types';

export class DetailsPanel extends Panel {
  constructor(
    private _rendermime: IRenderMimeRegistry,
    trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-CharAttention-explorerDetails');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', trans.__('Selected rows'));
    this._message.addClass('jp-CharAttention-explorerDetailsMessage');
    this.addWidget(this._message);
    this.showMessage(
      trans.__('Select rows in the grid to see their attribution tables.')
    );
  }

  /** The payload on show (null while a message is shown). */
  get payload(): IBatchPayload | null {
    return this._payload;
  }

  showMessage(text: string): void {
    this._clearRendered();
    this._payload = null;
    this._message.node.textContent = text;
    this._message.show();
    this.node.dataset.explained = '0';
  }

  async showPayload(payload: IBatchPayload, note = ''): Promise<void> {
    this._clearRendered();
    this._payload = payload;
    this._message.node.textContent = note;
    this._message.setHidden(!note);
    const renderer = this._rendermime.createRenderer(MIME_TYPE);
    this._rendered = renderer;
    this.addWidget(renderer);
    await renderer.renderModel(
      new MimeModel({
        data: { [MIME_TYPE]: payload as never },
        trusted: true
      })
    );
    this.node.dataset.explained = String(payload.samples.length);
  }

  private _clearRendered(): void {
    this._rendered?.dispose();
    this._rendered = null;
  }

  private _message = new Widget();
  private _rendered: Widget | null = null;
  private _payload: IBatchPayload | null = null;
}
