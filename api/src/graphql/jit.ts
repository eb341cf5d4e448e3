// Compiled execution for the documents clients send again and again (graphql-jit), plugged into
// Apollo Server through its executor seam (the `gateway` option: Apollo still parses, validates,
// runs every plugin and formats errors; only execution is swapped). docs/decisions/011-graphql-jit.md.
//
// - A document runs on graphql-js until it has been executed `compileAfter` times; only then is it
//   compiled (≈ 1.5 ms of CPU, a request's worth), so one-off query texts never cost a compile.
// - At most `maxCompiled` compiled documents are kept (least recently compiled dropped first).
// - Whenever the compiled query cannot run at all (its variables do not coerce), the request is run
//   again on graphql-js, so such errors keep graphql-js's exact shape (Apollo turns them into 400
//   BAD_USER_INPUT from it). Nothing has executed at that point, so nothing runs twice.
// - When Apollo could not pick the operation (an operationName the document lacks, several
//   operations and none named), graphql-js runs with the name as sent and reports that error.
// - compileAfter 0: Apollo executes by itself; this executor is not plugged in (graphql/plugin.ts).
// - Errors from compiled execution are re-created as graphql-js errors (plugins rewrite messages).
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  GraphQLError,
  printSchema,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

export interface JitOptions {
  /** Executions of one document (and operation) on graphql-js before it is compiled; 0 = off. */
  compileAfter: number;
  /** Compiled documents kept at most. */
  maxCompiled: number;
}

/** Compiled documents kept by default: far more than the product's clients send. */
export const JIT_MAX_COMPILED = 500;

interface Entry {
  runs: number;
  /** undefined: not compiled (yet); null: graphql-jit cannot compile it, stay on graphql-js. */
  compiled: CompiledQuery | null | undefined;
}

export interface JitStats {
  /** Documents compiled and kept right now. */
  compiled: number;
  /** Executions answered by compiled code / by graphql-js since start. */
  compiledRuns: number;
  interpretedRuns: number;
}

export class JitExecutor {
  readonly schema: GraphQLSchema;
  readonly #options: JitOptions;
  readonly #entries = new WeakMap<DocumentNode, Map<string, Entry>>();
  /** Compiled entries, oldest first (a Map keeps insertion order). */
  readonly #kept = new Map<Entry, true>();
  #compiledRuns = 0;
  #interpretedRuns = 0;

  constructor(schema: GraphQLSchema, options: JitOptions) {
    this.schema = schema;
    this.#options = options;
  }

  /** false with compileAfter 0: Apollo then executes by itself (graphql/plugin.ts), no executor seam at all. */
  get enabled(): boolean {
    return this.#options.compileAfter > 0;
  }

  stats(): JitStats {
    return { compiled: this.#kept.size, compiledRuns: this.#compiledRuns, interpretedRuns: this.#interpretedRuns };
  }

  /** Apollo's executor: the request is already parsed, validated and its operation resolved. */
  readonly execute: GatewayExecutor = async (request) => {
    const { document, operation, context: contextValue } = request;
    const variables = request.request.variables ?? {};
    // Apollo could not pick the operation (a name the document lacks, several operations and no
    // name): graphql-js, given the name as sent, reports it exactly as without this executor.
    const compiled = operation ? this.#compiledFor(document, request.operationName) : undefined;
    if (compiled) {
      const result = await compiled.query(undefined, contextValue, variables);
      if (result.data !== undefined) {
        this.#compiledRuns += 1;
        return result.errors ? { ...result, errors: result.errors.map(asGraphqlJsError) } : result;
      }
      // No data at all: the variables did not coerce; graphql-js says so in the shape Apollo knows.
    }
    this.#interpretedRuns += 1;
    return execute({ schema: this.schema, document, contextValue, variableValues: variables, operationName: request.request.operationName });
  };

  #compiledFor(document: DocumentNode, operationName: string | null): CompiledQuery | undefined {
    if (this.#options.compileAfter <= 0) return undefined;
    let byOperation = this.#entries.get(document);
    if (!byOperation) this.#entries.set(document, (byOperation = new Map()));
    const key = operationName ?? '';
    let entry = byOperation.get(key);
    if (!entry) byOperation.set(key, (entry = { runs: 0, compiled: undefined }));
    if (entry.compiled !== undefined) return entry.compiled ?? undefined;
    entry.runs += 1;
    if (entry.runs <= this.#options.compileAfter) return undefined;
    let compiled: CompiledQuery | null = null;
    try {
      const result = compileQuery(this.schema, document, operationName ?? undefined);
      if (isCompiledQuery(result)) compiled = result;
    } catch {
      // a document graphql-jit cannot handle stays on graphql-js (as one it reports errors for)
    }
    entry.compiled = compiled;
    if (entry.compiled) {
      this.#kept.set(entry, true);
      if (this.#kept.size > this.#options.maxCompiled) {
        const [oldest] = this.#kept.keys();
        if (oldest) this.#forget(oldest);
      }
    }
    return entry.compiled ?? undefined;
  }

  #forget(entry: Entry) {
    this.#kept.delete(entry);
    entry.compiled = undefined;
    entry.runs = 0;
  }

  /** The `gateway` Apollo Server takes: a fixed schema and this executor. */
  gateway(): GatewayInterface {
    const schema = this.schema;
    const executor = this.execute;
    return {
      async load() {
        return { executor };
      },
      onSchemaLoadOrUpdate(callback) {
        callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
        return () => {};
      },
      async stop() {},
    };
  }
}

function asGraphqlJsError(error: GraphQLError): GraphQLError {
  const copy = new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
  // graphql-jit records where the field is in the query as `locations` only (no nodes to derive
  // them from); keep them, as graphql-js reports them.
  if (!copy.locations && error.locations) (copy as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return copy;
}
