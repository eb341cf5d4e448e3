// `npm run migrate:create -- <name>`: writes an empty migration class with a timestamped name to
// api/src/db/migrations and appends it to migrations/index.ts (migrations are listed explicitly:
// the migrator cannot glob-load .ts files under vitest). Fill in up() and down() with SQL, then
// `npm run migrate` applies it (and the API applies pending migrations at start).
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../db/migrations/', import.meta.url));

const STAMP = /^Migration(\d{14})(?:_[a-z0-9_]+)?\.ts$/;

/** `Add task tags!` → `add_task_tags`. */
export function slug(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
}

/** UTC yyyyMMddHHmmss. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** The next stamp: now, or one second after the newest existing migration if that is later. */
export function nextStamp(existingFiles: string[], now: Date): string {
  const latest = existingFiles
    .map((f) => STAMP.exec(f)?.[1])
    .filter((s): s is string => Boolean(s))
    .sort()
    .at(-1);
  if (!latest || stamp(now) > latest) return stamp(now);
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(latest)!;
  const latestDate = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return stamp(new Date(latestDate.getTime() + 1000));
}

export function migrationSource(className: string): string {
  return `import { Migration } from '@mikro-orm/migrations';

/** TODO: what this migration changes, and why. */
export class ${className} extends Migration {
  override async up(): Promise<void> {
    // this.addSql(\`alter table "task" add column "example" text null;\`);
  }

  override async down(): Promise<void> {
    // this.addSql(\`alter table "task" drop column "example";\`);
  }
}
`;
}

/** Adds the import and the list entry to migrations/index.ts's source. */
export function appendToIndex(source: string, className: string): string {
  const imports = [...source.matchAll(/^import .*;$/gm)];
  const lastImport = imports.at(-1);
  const listEnd = source.lastIndexOf('];');
  if (!lastImport || listEnd < 0 || !/export const migrationsList\s*=\s*\[/.test(source)) {
    throw new Error('migrations/index.ts does not have the expected shape (imports, then `export const migrationsList = [ … ];`)');
  }
  if (source.includes(`class: ${className} `)) throw new Error(`${className} is already listed`);
  const importLine = `import { ${className} } from './${className}.js';`;
  const at = lastImport.index! + lastImport[0].length;
  const withImport = `${source.slice(0, at)}\n${importLine}${source.slice(at)}`;
  const end = withImport.lastIndexOf('];');
  const before = withImport.slice(0, end).replace(/\s*$/, '');
  const separator = before.endsWith('[') || before.endsWith(',') ? '' : ',';
  return `${before}${separator}\n  { name: '${className}', class: ${className} },\n${withImport.slice(end)}`;
}

export interface CreatedMigration {
  className: string;
  file: string;
}

export async function createMigration(name: string, options: { dir?: string; now?: Date } = {}): Promise<CreatedMigration> {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const suffix = slug(name);
  if (!suffix) throw new Error('Give the migration a name: npm run migrate:create -- add_task_tags');
  const files = await readdir(dir);
  const className = `Migration${nextStamp(files, options.now ?? new Date())}_${suffix}`;
  const file = path.join(dir, `${className}.ts`);
  const indexFile = path.join(dir, 'index.ts');
  const index = appendToIndex(await readFile(indexFile, 'utf8'), className);
  await writeFile(file, migrationSource(className), { flag: 'wx' });
  await writeFile(indexFile, index);
  return { className, file };
}

async function main() {
  const name = process.argv.slice(2).join(' ');
  try {
    const { className, file } = await createMigration(name);
    console.log(`Created ${path.relative(process.cwd(), file)} and listed ${className} in migrations/index.ts.`);
    console.log('Write its SQL in up() and down(), then run `npm run migrate`.');
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
