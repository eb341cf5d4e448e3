import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { applyAuthDirective } from './directives/auth.js';
import { resolvers } from './resolvers/index.js';

/**
 * schema.graphql at the repository root, three levels above this module (api/src/graphql/), and
 * equally above the bundle (api/dist/src/, build.mjs).
 */
export const SCHEMA_PATH = fileURLToPath(new URL('../../../schema.graphql', import.meta.url));

/** The executable schema from schema.graphql; throws if a root field lacks @auth/@public. */
export function buildSchema(typeDefs: string = readFileSync(SCHEMA_PATH, 'utf8')): GraphQLSchema {
  return applyAuthDirective(makeExecutableSchema({ typeDefs, resolvers: resolvers as never }));
}
