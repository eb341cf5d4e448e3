// graphql-armor's cost formula (object 2, scalar 1, depth factor 1.5, × first/last), evaluated
// with the request's variables: armor's own rule only multiplies literal `first` values, so
// `tasks(first: $n)` would otherwise cost as if n were 1.
//
// Operations that only read the schema (root fields __schema, __type, __typename) are charged
// against a budget of their own (GRAPHQL_LIMITS.introspectionCost in plugin.ts): the standard
// introspection query of GraphQL tooling costs ≈ 17,000 by this formula, far above what any data
// query needs, and that budget must not widen the one for data.
import type { DocumentNode, FragmentDefinitionNode, OperationDefinitionNode, SelectionSetNode } from 'graphql';

function costOf(
  set: SelectionSetNode,
  vars: Record<string, unknown>,
  fragments: Map<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): number {
  let total = 0;
  for (const sel of set.selections) {
    if (sel.kind === 'Field') {
      if (!sel.selectionSet) {
        total += 1;
        continue;
      }
      let multiplier = 1;
      const first = sel.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
      if (first?.value.kind === 'IntValue') multiplier = Math.max(Number(first.value.value), 1);
      if (first?.value.kind === 'Variable') {
        const v = vars[first.value.name.value];
        if (Number.isInteger(v)) multiplier = Math.max(v as number, 1);
      }
      total += (2 + 1.5 * costOf(sel.selectionSet, vars, fragments, seen)) * multiplier;
    } else if (sel.kind === 'InlineFragment') {
      total += costOf(sel.selectionSet, vars, fragments, seen);
    } else {
      const f = fragments.get(sel.name.value);
      if (f && !seen.has(f.name.value)) total += costOf(f.selectionSet, vars, fragments, new Set([...seen, f.name.value]));
    }
  }
  return total;
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
  const fragments = fragmentsOf(document);
  return operation.selectionSet.selections.reduce(
    (sum, sel) => sum + 1.5 * costOf({ kind: 'SelectionSet', selections: [sel] } as SelectionSetNode, variables, fragments),
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
