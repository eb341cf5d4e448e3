// Listed explicitly: the migrator cannot glob-load .ts files under vitest (../shared/STACK.md).
import { Migration20261125000000_initial } from './Migration20261125000000_initial.js';

export const migrationsList = [
  { name: 'Migration20261125000000_initial', class: Migration20261125000000_initial },
];
