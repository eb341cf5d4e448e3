// Listed explicitly: MikroORM 6's migrator cannot glob-load .ts migration files under vitest.
import { Migration20261125000000_initial } from './Migration20261125000000_initial.js';
import { Migration20261125100000_refresh_rotation } from './Migration20261125100000_refresh_rotation.js';
import { Migration20261201050000_security_event } from './Migration20261201050000_security_event.js';
import { Migration20261201080000_passkey } from './Migration20261201080000_passkey.js';
import { Migration20261201090000_two_factor } from './Migration20261201090000_two_factor.js';
import { Migration20261201100000_sign_in_method } from './Migration20261201100000_sign_in_method.js';

export const migrationsList = [
  { name: 'Migration20261125000000_initial', class: Migration20261125000000_initial },
  { name: 'Migration20261125100000_refresh_rotation', class: Migration20261125100000_refresh_rotation },
  { name: 'Migration20261201050000_security_event', class: Migration20261201050000_security_event },
  { name: 'Migration20261201080000_passkey', class: Migration20261201080000_passkey },
  { name: 'Migration20261201090000_two_factor', class: Migration20261201090000_two_factor },
  { name: 'Migration20261201100000_sign_in_method', class: Migration20261201100000_sign_in_method },
];
