/**
 * MIME renderer extension for `application/x-char-attention+json`.
 *
 * Kept light on purpose: no model code (engine, workers, explanation
 * methods) is imported here.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { MIME_TYPE } from './payload/types';
import { RenderedCharAttention } from './render/widget';

/** Rank below 50, so it wins over a `text/html` fallback in the same bundle. */
export const RENDERER_RANK = 40;

export const rendererFactory: IRenderMime.IRendererFactory = {
  // Safe: the payload is data only and every string is shown as text.
  safe: true,
  mimeTypes: [MIME_TYPE],
  defaultRank: RENDERER_RANK,
  createRenderer: options => new RenderedCharAttention(options)
};

const extension: IRenderMime.IExtension = {
  id: 'jupyterlab-char-attention:mime',
  rendererFactory,
  rank: RENDERER_RANK,
  dataType: 'json'
};

export default extension;
