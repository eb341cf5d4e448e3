// The operation cost limit, in place of graphql-armor's own rule (turned off in plugin.ts): the
// same formula (object 2, scalar 1, depth factor 1.5, × first/last), evaluated with the request's
// variables (armor's rule only multiplies literal `first` values, so `tasks(first: $n)` would cost
// as if n were 1), and with `first` capped at the page maximum (see pageMultiplier).
// docs/decisions/013-graphql-cost-and-introspection-budget.md.
//
// Operations that only read the schema (root fields __schema, __type, __typename) are charged
// against a budget of their own (GRAPHQL_LIMITS.introspectionCost in plugin.ts): the standard
// introspection query of GraphQL tooling costs ≈ 17,000 by this formula, far above what any data
// query needs, and that budget must not widen the one for data.
import type { DocumentNode, FragmentDefinitionNode, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { PAGE_MAX } from '../domain/tasks/task.types.js';

/**
 * The page a `first`/`last` argument asks for, as the cost multiplier. A value outside 1–PAGE_MAX
 * is refused by the task service before any work, with its own message ("first: must be an
 * integer from 1 to 100"), so it is charged as the largest page it could be: the range rule
 * answers, not the cost limit, and in-range queries cost exactly what they did.
 */
function pageMultiplier(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 1;
  return Math.min(Math.max(value, 1), PAGE_MAX);
}

class Costing {
  /** Each fragment's cost, computed once: fragments spreading others twice over would be exponential. */
  readonly #fragmentCost = new Map<string, number>();

  constructor(
    private readonly vars: Record<string, unknown>,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
  ) {}

  of(set: SelectionSetNode): number {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === 'Field') {
        if (!sel.selectionSet) {
          total += 1;
          continue;
        }
        let multiplier = 1;
        const first = sel.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
        if (first?.value.kind === 'IntValue') multiplier = pageMultiplier(Number(first.value.value));
        if (first?.value.kind === 'Variable') multiplier = pageMultiplier(this.vars[first.value.name.value]);
        total += (2 + 1.5 * this.of(sel.selectionSet)) * multiplier;
      } else if (sel.kind === 'InlineFragment') {
        total += this.of(sel.selectionSet);
      } else {
        total += this.fragment(sel.name.value);
      }
    }
    return total;
  }

  fragment(name: string): number {
    const known = this.#fragmentCost.get(name);
    if (known !== undefined) return known;
    const f = this.fragments.get(name);
    // 0 while in progress: a cycle (already refused by validation) cannot recurse forever.
    this.#fragmentCost.set(name, 0);
    const cost = f ? this.of(f.selectionSet) : 0;
    this.#fragmentCost.set(name, cost);
    return cost;
  }
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition')
      .map((d) => [d.name.value, d]),
  );
}

export function operationCost(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const costing = new Costing(variables, fragmentsOf(document));
  return operation.selectionSet.selections.reduce(
    (sum, sel) => sum + 1.5 * costing.of({ kind: 'SelectionSet', selections: [sel] } as SelectionSetNode),
    0,
  );
}

/** The root fields that describe the schema rather than read data. */
const SCHEMA_FIELDS = new Set(['__schema', '__type', '__typename']);

/**
 * True when every root field of the operation (also inside fragments) is `__schema`, `__type` or
 * `__typename`: the operation reads the schema and nothing else.
 */
export function isIntrospectionOnly(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  if (operation.operation !== 'query') return false;
  const fragments = fragmentsOf(document);
  const onlySchema = (set: SelectionSetNode, seen: Set<string>): boolean =>
    set.selections.every((sel) => {
      if (sel.kind === 'Field') return SCHEMA_FIELDS.has(sel.name.value);
      if (sel.kind === 'InlineFragment') return onlySchema(sel.selectionSet, seen);
      const f = fragments.get(sel.name.value);
      if (!f) return false;
      if (seen.has(f.name.value)) return true;
      return onlySchema(f.selectionSet, new Set([...seen, f.name.value]));
    });
  return onlySchema(operation.selectionSet, new Set());
}
