/**
 * Limits on one GraphQL operation, checked after graphql-js's own validation and before any
 * resolver runs: its depth, its aliases and its cost (docs/graphql.md, "Limits and cost").
 *
 * - Depth: the longest chain of selections, fragments expanded. Introspection (`__schema`,
 *   `__type`) is measured apart with a fixed allowance, since GraphiQL's own introspection
 *   query is 13 levels deep.
 * - Aliases: every aliased field in the operation and the fragments it uses.
 * - Cost: an upper bound of the upstream calls the operation may make before batching. A field
 *   that loads from a service costs 1; a list field paged by `first:` multiplies its children's
 *   cost by `first` (its default when absent); fields of an already-loaded body are free. The
 *   rate limits count this cost, not 1, so a query that fans out pays for it.
 */
import {
  GraphQLError,
  Kind,
  getNamedType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { FETCHING_FIELDS } from './sdl.ts';

export interface GraphqlLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxList: number;
}

/** How deep introspection may go (GraphiQL's introspection query needs 13). */
export const INTROSPECTION_DEPTH = 16;

export interface Measured {
  depth: number;
  aliases: number;
  cost: number;
}

type Fragments = Map<string, FragmentDefinitionNode>;

function fragmentsOf(doc: DocumentNode): Fragments {
  const out: Fragments = new Map();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) out.set(d.name.value, d);
  return out;
}

/** The fields a selection set selects, fragments and inline fragments flattened. */
function* fieldsOf(
  set: SelectionSetNode,
  fragments: Fragments,
  seen = new Set<string>(),
): Generator<FieldNode> {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) yield s;
    else if (s.kind === Kind.INLINE_FRAGMENT) yield* fieldsOf(s.selectionSet, fragments, seen);
    else {
      const name = s.name.value;
      const f = fragments.get(name);
      // graphql-js refuses cycles before this runs; `seen` only guards against them here.
      if (!f || seen.has(name)) continue;
      yield* fieldsOf(f.selectionSet, fragments, new Set(seen).add(name));
    }
  }
}

function depthOf(set: SelectionSetNode | undefined, fragments: Fragments): number {
  if (!set) return 0;
  let max = 0;
  for (const f of fieldsOf(set, fragments)) max = Math.max(max, 1 + depthOf(f.selectionSet, fragments));
  return max;
}

function intValue(
  node: ValueNode | undefined,
  variables: Readonly<Record<string, unknown>>,
): number | undefined {
  if (!node) return undefined;
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const v = variables[node.name.value];
    return typeof v === 'number' ? v : undefined;
  }
  return undefined;
}

function costOf(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  set: SelectionSetNode | undefined,
  fragments: Fragments,
  variables: Readonly<Record<string, unknown>>,
  limits: GraphqlLimits,
): number {
  if (!set) return 0;
  let total = 0;
  for (const f of fieldsOf(set, fragments)) {
    const name = f.name.value;
    if (name.startsWith('__')) continue;
    // An inline fragment on another type, or a field of an interface: measured on the field's own type.
    const def = type.getFields()[name];
    if (!def) continue;
    const child = getNamedType(def.type);
    const below = isObjectType(child)
      ? costOf(schema, child, f.selectionSet, fragments, variables, limits)
      : 0;
    const spec = FETCHING_FIELDS[`${type.name}.${name}`];
    if (!spec) {
      total += below;
      continue;
    }
    let times = 1;
    if (spec.list) {
      const arg = f.arguments?.find((a) => a.name.value === 'first');
      const dflt = def.args.find((a) => a.name === 'first')?.defaultValue;
      const n = intValue(arg?.value, variables) ?? (typeof dflt === 'number' ? dflt : limits.maxList);
      times = Math.min(Math.max(n, 0), limits.maxList);
    }
    total += 1 + times * below;
  }
  return total;
}

function aliasesOf(set: SelectionSetNode | undefined, fragments: Fragments): number {
  if (!set) return 0;
  let n = 0;
  for (const f of fieldsOf(set, fragments)) n += (f.alias ? 1 : 0) + aliasesOf(f.selectionSet, fragments);
  return n;
}

/** The operation `operationName` picks (or the only one), or null when there is no such one. */
export function pickOperation(
  doc: DocumentNode,
  operationName: string | null,
): OperationDefinitionNode | null {
  const ops = doc.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName === null) return ops.length === 1 ? ops[0]! : null;
  return ops.find((o) => o.name?.value === operationName) ?? null;
}

/** Measures an operation (introspection fields apart for the depth). */
export function measure(
  schema: GraphQLSchema,
  doc: DocumentNode,
  op: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  limits: GraphqlLimits,
): Measured & { introspectionDepth: number } {
  const fragments = fragmentsOf(doc);
  let depth = 0;
  let introspectionDepth = 0;
  for (const f of fieldsOf(op.selectionSet, fragments)) {
    const d = 1 + depthOf(f.selectionSet, fragments);
    if (f.name.value.startsWith('__')) introspectionDepth = Math.max(introspectionDepth, d);
    else depth = Math.max(depth, d);
  }
  const root = op.operation === 'query' ? schema.getQueryType() : null;
  const cost = root ? costOf(schema, root, op.selectionSet, fragments, variables, limits) : 0;
  return { depth, introspectionDepth, aliases: aliasesOf(op.selectionSet, fragments), cost };
}

/** The errors that refuse an operation over the limits (empty: within them), with what was measured. */
export function checkLimits(
  schema: GraphQLSchema,
  doc: DocumentNode,
  op: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  limits: GraphqlLimits,
): { measured: Measured; errors: GraphQLError[] } {
  const m = measure(schema, doc, op, variables, limits);
  const errors: GraphQLError[] = [];
  const refuse = (code: string, message: string, extra: Record<string, number>) =>
    errors.push(new GraphQLError(message, { nodes: [op], extensions: { code, ...extra } }));
  if (m.depth > limits.maxDepth)
    refuse('query_too_deep', `The query is ${m.depth} levels deep; at most ${limits.maxDepth} are allowed`, {
      depth: m.depth,
      max_depth: limits.maxDepth,
    });
  if (m.introspectionDepth > INTROSPECTION_DEPTH)
    refuse(
      'query_too_deep',
      `The introspection is ${m.introspectionDepth} levels deep; at most ${INTROSPECTION_DEPTH} are allowed`,
      { depth: m.introspectionDepth, max_depth: INTROSPECTION_DEPTH },
    );
  if (m.aliases > limits.maxAliases)
    refuse(
      'too_many_aliases',
      `The query uses ${m.aliases} aliases; at most ${limits.maxAliases} are allowed`,
      {
        aliases: m.aliases,
        max_aliases: limits.maxAliases,
      },
    );
  if (m.cost > limits.maxCost)
    refuse('query_too_costly', `The query costs ${m.cost}; at most ${limits.maxCost} is allowed`, {
      cost: m.cost,
      max_cost: limits.maxCost,
    });
  return { measured: { depth: m.depth, aliases: m.aliases, cost: m.cost }, errors };
}
