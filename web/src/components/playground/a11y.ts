// GraphiQL 5's tab bar is a role="tablist" of role="tab" list items, each holding two buttons
// (select, close): interactive controls inside an interactive role, which assistive technology
// cannot present (axe: nested-interactive). GraphiQL has no option for this, so the playground
// reshapes that markup after GraphiQL renders it: a labelled list of buttons, the active one marked
// aria-current, each close button naming its tab. The editor panel becomes a region named by the
// active tab. Nothing else of GraphiQL's markup is touched.

function setAttribute(element: Element, name: string, value: string | null) {
  if (value === null) {
    if (element.hasAttribute(name)) element.removeAttribute(name);
  } else if (element.getAttribute(name) !== value) {
    element.setAttribute(name, value);
  }
}

/** Applies the fix once to everything under `root`; idempotent (changes only what differs). */
export function fixGraphiQLTabs(root: ParentNode) {
  for (const list of root.querySelectorAll('.graphiql-tabs')) setAttribute(list, 'role', null);
  for (const item of root.querySelectorAll('.graphiql-tab')) {
    setAttribute(item, 'role', null);
    setAttribute(item, 'aria-selected', null);
    const button = item.querySelector('.graphiql-tab-button');
    if (!button) continue;
    setAttribute(button, 'aria-current', item.classList.contains('graphiql-tab-active') ? 'true' : null);
    const close = item.querySelector('.graphiql-tab-close');
    if (close) setAttribute(close, 'aria-label', `Close the ${button.textContent ?? ''} tab`);
  }
  const panel = root.querySelector('#graphiql-session');
  if (panel) setAttribute(panel, 'role', 'region');
}

/** Keeps the fix applied while GraphiQL re-renders (tab switches, new or closed tabs). */
export function keepGraphiQLTabsFixed(root: HTMLElement): () => void {
  fixGraphiQLTabs(root);
  const observer = new MutationObserver(() => fixGraphiQLTabs(root));
  observer.observe(root, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['role', 'aria-selected', 'class'],
  });
  return () => observer.disconnect();
}
