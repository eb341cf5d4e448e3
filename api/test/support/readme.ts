// Reads the tables of the repository's README.md that tests hold the code to: the configuration
// table (environment variables) and the REST table (routes and their documented errors).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/env.js';

export function readRepoFile(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

/** The markdown section starting at `heading` (e.g. '## Configuration'), up to the next heading of the same level. */
export function section(markdown: string, heading: string): string {
  const level = heading.match(/^#+/)![0];
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no "${heading}" section`);
  const rest = markdown.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n${level} `));
  return next < 0 ? rest : rest.slice(0, next);
}

/** Rows of the first markdown table in `text` (header and separator dropped), as cell arrays. */
export function tableRows(text: string): string[][] {
  const lines = text.split('\n').filter((l) => l.trim().startsWith('|'));
  return lines
    .slice(2)
    .map((line) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim()));
}

/** Variable names of the README's configuration table, in order. */
export function configTableVariables(readme = readRepoFile('README.md')): string[] {
  return tableRows(section(readme, '## Configuration')).map((cells) => {
    const m = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[0] ?? '');
    if (!m) throw new Error(`configuration table row does not start with a variable: ${cells.join(' | ')}`);
    return m[1]!;
  });
}

export interface DocumentedRoute {
  method: string;
  /** OpenAPI-style path: `/api/tasks/{id}`. */
  path: string;
  /** HTTP statuses the README's errors column names. */
  errors: number[];
}

/** The README's REST table: method, path and the error statuses listed for each route. */
export function restTableRoutes(readme = readRepoFile('README.md')): DocumentedRoute[] {
  return tableRows(section(readme, '### REST (JSON in and out)')).map((cells) => {
    const m = /^`(GET|POST|PUT|PATCH|DELETE) ([^`?\s]+)[^`]*`/.exec(cells[0] ?? '');
    if (!m) throw new Error(`REST table row does not start with a route: ${cells.join(' | ')}`);
    const errors = [...(cells[2] ?? '').matchAll(/\b([45][0-9]{2})\b/g)].map((e) => Number(e[1]));
    return { method: m[1]!, path: m[2]!.replace(/:([A-Za-z]+)/g, '{$1}'), errors: [...new Set(errors)] };
  });
}
