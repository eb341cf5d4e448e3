import { describe, expect, it } from 'vitest';
import { keepGraphiQLTabsFixed } from './a11y';

// GraphiQL 5.4's tab bar as it renders it (graphiql/dist/GraphiQL.js, @graphiql/react tabs).
function graphiqlTabBar() {
  const root = document.createElement('div');
  root.innerHTML = `
    <div class="graphiql-session-header">
      <ul role="tablist" aria-label="Select active operation" class="graphiql-tabs no-scrollbar">
        <li role="tab" aria-selected="true" class="graphiql-tab graphiql-tab-active">
          <button type="button" class="graphiql-tab-button" id="graphiql-session-tab-0" aria-controls="graphiql-session">Me</button>
          <button type="button" class="graphiql-tab-close" aria-label="Close Tab"></button>
        </li>
        <li role="tab" aria-selected="false" class="graphiql-tab">
          <button type="button" class="graphiql-tab-button" id="graphiql-session-tab-1" aria-controls="graphiql-session">Tasks</button>
          <button type="button" class="graphiql-tab-close" aria-label="Close Tab"></button>
        </li>
      </ul>
    </div>
    <div role="tabpanel" id="graphiql-session" aria-labelledby="graphiql-session-tab-0"></div>`;
  document.body.append(root);
  return root;
}

const interactiveInside = (root: HTMLElement) =>
  [...root.querySelectorAll('[role="tab"], [role="tablist"]')].filter((el) => el.querySelector('button'));

describe('the playground tab bar', () => {
  it('has no buttons inside tab roles: a list of buttons, the active one marked', () => {
    const root = graphiqlTabBar();
    const stop = keepGraphiQLTabsFixed(root);
    expect(interactiveInside(root)).toEqual([]);
    const buttons = [...root.querySelectorAll('.graphiql-tab-button')];
    expect(buttons.map((b) => b.getAttribute('aria-current'))).toEqual(['true', null]);
    expect([...root.querySelectorAll('.graphiql-tab-close')].map((b) => b.getAttribute('aria-label'))).toEqual([
      'Close the Me tab',
      'Close the Tasks tab',
    ]);
    expect(root.querySelector('#graphiql-session')).toHaveAttribute('role', 'region');
    stop();
  });

  it('stays fixed when GraphiQL switches tabs and writes its roles again', async () => {
    const root = graphiqlTabBar();
    const stop = keepGraphiQLTabsFixed(root);
    const [first, second] = [...root.querySelectorAll('.graphiql-tab')];
    // What React does on a tab switch: class and aria-selected change on both items.
    first!.classList.remove('graphiql-tab-active');
    first!.setAttribute('aria-selected', 'false');
    second!.classList.add('graphiql-tab-active');
    second!.setAttribute('aria-selected', 'true');
    second!.setAttribute('role', 'tab');
    await new Promise((resolve) => setTimeout(resolve, 0)); // MutationObserver callbacks are microtasks
    expect(interactiveInside(root)).toEqual([]);
    expect(second!).not.toHaveAttribute('aria-selected');
    const buttons = [...root.querySelectorAll('.graphiql-tab-button')];
    expect(buttons.map((b) => b.getAttribute('aria-current'))).toEqual([null, 'true']);
    stop();
  });
});
