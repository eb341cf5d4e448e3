import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { REPO_ROOT } from '../config/env.js';
import { applyAuthDirective } from './directives/auth.js';
import { resolvers } from './resolvers/index.js';

export const SCHEMA_PATH = path.join(REPO_ROOT, 'schema.graphql');

/** The executable schema from schema.graphql; throws if a root field lacks @auth/@public. */
export function buildSchema(typeDefs: string = readFileSync(SCHEMA_PATH, 'utf8')): GraphQLSchema {
  return applyAuthDirective(makeExecutableSchema({ typeDefs, resolvers: resolvers as never }));
}
