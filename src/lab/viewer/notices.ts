/** The viewer's notices: what the model did not see, errors of a run. */
import { Widget } from '@lumino/widgets';

export class NoticeList extends Widget {
  constructor() {
    super({ node: document.createElement('ul') });
    this.addClass('jp-CharAttention-notices');
    this.node.setAttribute('aria-live', 'polite');
  }

  showMessages(messages: string[], kind: 'info' | 'error' = 'info'): void {
    this.node.dataset.kind = kind;
    this.node.replaceChildren(
      ...messages.map(message => {
        const item = document.createElement('li');
        item.textContent = message;
        return item;
      })
    );
  }

  /** The messages shown (for tests and the panel). */
  get messages(): string[] {
    return Array.from(this.node.children, item => item.textContent ?? '');
  }
}
