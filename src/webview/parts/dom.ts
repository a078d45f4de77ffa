/**
 * A tiny element builder. Text only ever goes in through textContent / text nodes, and attributes
 * through setAttribute, so file names, prompts and messages from the host never become markup.
 */
type AttributeValue = string | number | boolean | undefined;
type Child = Node | string;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, AttributeValue> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    // `false`/undefined leave a boolean attribute out, the way HTML means it.
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children);
  return element;
}

/** Shows or hides an element with the `hidden` attribute (kept out of the tab order and a11y tree). */
export function setShown(element: HTMLElement, shown: boolean): void {
  element.hidden = !shown;
}
