/** Identifiers of the Attention Explorer plugin and its command. */

export const EXPLORER_PLUGIN_ID = 'jupyterlab-char-attention:explorer';

export namespace ExplorerCommandIDs {
  export const open = 'char-attention:open-explorer';
}
