/** The Attention Viewer icon: a row of character cells shaded by weight. */
import { LabIcon } from '@jupyterlab/ui-components';

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="2" y="8" width="4" height="8" rx="0.5" fill-opacity="0.25"/>
    <rect x="7" y="8" width="4" height="8" rx="0.5" fill-opacity="0.9"/>
    <rect x="12" y="8" width="4" height="8" rx="0.5" fill-opacity="0.55"/>
    <rect x="17" y="8" width="4" height="8" rx="0.5" fill-opacity="0.15"/>
    <rect x="2" y="18" width="19" height="1.5" rx="0.5"/>
    <rect x="2" y="4.5" width="19" height="1.5" rx="0.5"/>
  </g>
</svg>`;

export const charAttentionIcon = new LabIcon({
  name: 'jupyterlab-char-attention:icon',
  svgstr: SVG
});
