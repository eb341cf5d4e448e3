// The browser tests sign up against the real API, which refuses weak passwords: the passwords they
// use must pass the same policy, for the names and emails they sign up with.
import { assessPassword, loadEstimator } from '@taskgate/common/password';
import { expect, it } from 'vitest';
import { PASSWORD } from '../../e2e/passwords';

it('the e2e sign-up password passes the API policy for the accounts the e2e tests create', async () => {
  const estimator = await loadEstimator();
  for (const name of ['Ada Lovelace', 'Graph Explorer', 'Keyboard User', 'Expiry Tester', 'Careful Typist', 'Impostor', 'Ada First', 'Bob Second', 'Phone User With A Rather Long Name']) {
    const email = `${name.split(' ')[0]!.toLowerCase()}-mabc123-1@example.com`;
    const verdict = assessPassword(estimator, PASSWORD, { email, name });
    expect(verdict, name).toMatchObject({ ok: true, problem: null });
    expect(verdict.score).toBeGreaterThanOrEqual(3);
  }
});
