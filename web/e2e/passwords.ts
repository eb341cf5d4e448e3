// Passwords the browser tests sign up with. They must pass the API's policy (length 8–128 and a
// zxcvbn-ts score of at least 3 with the account's own words): src/test/e2e-passwords.test.ts checks.
export const PASSWORD = 'e2e violet lantern 42';
