import type { ImageInfo } from '../../shared/protocol';
import { h, setShown } from '../parts/dom';
import { t } from '../parts/strings';

/** Reference images (extra inputs) as thumbnails with a remove button each, and "Add…". */
export class ReferenceList {
  readonly element: HTMLElement;
  private readonly list = h('ul', { class: 'references', 'aria-label': t('references.heading') });
  private readonly empty = h('p', { class: 'hint' }, t('references.none'));

  constructor(private readonly events: { add(): void; remove(uri: string): void }) {
    const add = h('vscode-button', { id: 'add-reference', secondary: true }, t('references.add'));
    add.addEventListener('click', () => events.add());
    this.element = h(
      'section',
      { class: 'references-section', 'aria-labelledby': 'references-heading' },
      h('h2', { id: 'references-heading' }, t('references.heading')),
      this.list,
      this.empty,
      add,
    );
  }

  setReferences(references: readonly ImageInfo[]): void {
    this.list.replaceChildren(...references.map((reference) => this.item(reference)));
    setShown(this.list, references.length > 0);
    setShown(this.empty, references.length === 0);
  }

  private item(reference: ImageInfo): HTMLElement {
    const remove = h(
      'button',
      {
        type: 'button',
        class: 'icon-button remove-reference',
        'aria-label': t('references.remove', reference.name),
        title: t('references.remove', reference.name),
      },
      '×',
    );
    remove.addEventListener('click', () => this.events.remove(reference.uri));
    return h(
      'li',
      { class: 'reference', 'data-uri': reference.uri },
      h('img', { src: reference.src, alt: t('references.alt', reference.name) }),
      h('span', { class: 'reference-name' }, reference.name),
      remove,
    );
  }
}
