// better-auth keeps its per-call context (endpoint, request state, adapter/transaction) in three
// AsyncLocalStorage instances. On Node 20 the first run() of any AsyncLocalStorage switches V8's
// promise hooks on for the whole process, and nothing switches them off again: after the first
// sign-in every promise of every request pays a hook call (GraphQL list: −15…25 % req/s,
// bench/README.md). Node 24 no longer uses promise hooks for AsyncLocalStorage.
//
// So better-auth gets storages that are enabled only while one of its calls is in flight: each
// run() is counted, and when the last one has settled the storage is disabled, which lets Node
// switch the hooks off once no storage is enabled. Inside a call nothing changes: the store
// propagates through every await exactly as before (auth.test.ts › concurrent sign-ins). Code that
// outlives the call sees no store — better-auth awaits its own work (no background tasks are
// configured), so nothing of ours does. docs/decisions/010-call-scoped-async-context.md.
import { AsyncLocalStorage } from 'node:async_hooks';
import { getBetterAuthVersion } from '@better-auth/core/context';

/** An AsyncLocalStorage that disables itself whenever no run() is in flight. */
export class CallScopedAsyncLocalStorage<T> extends AsyncLocalStorage<T> {
  #inFlight = 0;

  override run<R>(store: T, callback: () => R): R;
  override run<R, A extends unknown[]>(store: T, callback: (...args: A) => R, ...args: A): R;
  override run<R, A extends unknown[]>(store: T, callback: (...args: A) => R, ...args: A): R {
    this.#inFlight += 1;
    let result: R;
    try {
      result = super.run(store, callback, ...args);
    } catch (error) {
      this.#settled();
      throw error;
    }
    if (result instanceof Promise) {
      // Observe the settlement without taking over its rejection: the caller still gets `result`.
      result.then(
        () => this.#settled(),
        () => this.#settled(),
      );
    } else if (typeof (result as { then?: unknown } | null)?.then !== 'function') {
      this.#settled();
    }
    // A foreign thenable's settlement cannot be observed without calling its then() (which may
    // start work, like a query builder's): the storage then stays enabled, Node's own behaviour.
    return result;
  }

  #settled() {
    this.#inFlight -= 1;
    if (this.#inFlight === 0) this.disable();
  }
}

/** The slots better-auth reads its storages from (@better-auth/core/dist/context/*.mjs). */
const STORAGE_SLOTS = ['endpointContextAsyncStorage', 'requestStateAsyncStorage', 'adapterAsyncStorage'] as const;
const BETTER_AUTH_GLOBAL = Symbol.for('better-auth:global');

/**
 * Puts call-scoped storages where better-auth looks for its own, before it creates them. Returns
 * false (and changes nothing) when better-auth's global no longer has the expected shape — the
 * service still works then, only with the promise hooks left on after the first sign-in.
 */
export function installCallScopedAuthContext(): boolean {
  getBetterAuthVersion(); // creates better-auth's process-wide global on first use
  const global = (globalThis as Record<symbol, unknown>)[BETTER_AUTH_GLOBAL] as
    | { context?: Record<string, unknown> }
    | undefined;
  const context = global?.context;
  if (!context || typeof context !== 'object') return false;
  for (const slot of STORAGE_SLOTS) {
    const existing = context[slot];
    if (existing instanceof CallScopedAsyncLocalStorage) continue;
    // Already created by an earlier instance of better-auth in this process (a plain storage that
    // may have contexts in flight): leave it alone.
    if (existing !== undefined) return false;
    context[slot] = new CallScopedAsyncLocalStorage();
  }
  return true;
}
