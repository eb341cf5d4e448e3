// The password-strength estimator in a worker thread (auth/passwords.ts starts it on demand):
// a check costs milliseconds of CPU and the dictionaries tens of MB, neither of which belongs on the
// event loop that serves every other request. Plain JavaScript, so tsx, vitest and the API bundle
// all load it as it is.
import { assessPassword, loadEstimator } from '@taskgate/common/password';

const estimator = await loadEstimator();

/** @param {{ password: string, context: { email?: string, name?: string } }} task */
export default function assess({ password, context }) {
  return assessPassword(estimator, password, context);
}
