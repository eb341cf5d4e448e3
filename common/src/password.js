// The password policy, shared by every door that sets a password (the API's register, better-auth's
// sign-up, later change and reset) and by the web form that gives feedback while the user types.
// In the spirit of NIST SP 800-63B and ASVS 5.0 V6: length 8–128 characters after NFKC, no
// composition rules, and a strength estimate (zxcvbn-ts with its common and English dictionaries)
// that knows the user's own e-mail and name and the product's name: a score below 3 is refused with
// the estimator's reason and what to do about it.
//
// Plain JavaScript with a .d.ts beside it, so the same file runs in the API, its worker thread and
// the browser without a build step.

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
/** zxcvbn scores 0–4; 3 means "safely unguessable: moderate protection from offline slow-hash attacks". */
export const MIN_SCORE = 3;

/**
 * Estimator bounds. Only the first 64 characters are analysed (a longer password is long enough on
 * its own), and at most 10 l33t substitutions are tried: with zxcvbn-ts's defaults (256 and 100) a
 * crafted 128-character password costs seconds of CPU per check, with these under 0.1 s.
 */
export const ESTIMATOR_OPTIONS = { maxLength: 64, l33tMaxSubstitutions: 10 };

/** Passwords published by the product itself (README, seed), refused whatever the estimator says. */
export const PUBLISHED_PASSWORDS = ['taskgate-demo-password'];

export function normalizePassword(password) {
  return password.normalize('NFKC');
}

/** Length in characters (code points) after NFKC. */
export function passwordLength(password) {
  return [...normalizePassword(password)].length;
}

/** The length rule alone (what a form can say before the estimator has loaded), or null. */
export function lengthProblem(password) {
  const length = passwordLength(password);
  if (length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  return null;
}

/** Words an attacker would try first for this account: its e-mail, the parts of it, the name, the product. */
export function contextWords(context = {}) {
  const words = new Set(['taskgate', ...PUBLISHED_PASSWORDS]);
  const email = (context.email ?? '').trim().toLowerCase();
  if (email) {
    words.add(email);
    const [local = '', domain = ''] = email.split('@');
    const parts = [local, local.replace(/[^\p{L}\p{N}]+/gu, ''), ...local.split(/[^\p{L}\p{N}]+/u), domain.split('.')[0] ?? ''];
    for (const part of parts) if (part.length >= 3) words.add(part);
  }
  const name = (context.name ?? '').trim().toLowerCase();
  if (name) {
    for (const part of [name, name.replace(/\s+/g, ''), ...name.split(/\s+/)]) if (part.length >= 3) words.add(part);
  }
  return [...words];
}

let loading;

/**
 * The estimator, built on first use: its dictionaries (≈ 2 MB of words) are imported only then, so
 * neither the API's start nor the sign-up page's first paint pays for them.
 */
export function loadEstimator() {
  loading ??= Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]).then(([core, common, en]) => {
    const factory = new core.ZxcvbnFactory({
      ...ESTIMATOR_OPTIONS,
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
    return { check: (password, words) => factory.check(password, words) };
  });
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

const lowerFirst = (text) => text.charAt(0).toLowerCase() + text.slice(1);
const withoutStop = (text) => text.replace(/\.\s*$/, '');

/**
 * The verdict on a password for an account: `problem` is null when it may be used, else a sentence
 * fragment for "Password …" that says why and how to fix it. `score` is zxcvbn's 0–4 (null when the
 * length rule already refused it), `suggestions` its tips for a meter.
 */
export function assessPassword(estimator, password, context = {}) {
  const byLength = lengthProblem(password);
  if (byLength) return { ok: false, score: null, problem: byLength, suggestions: [] };
  const normalized = normalizePassword(password);
  if (PUBLISHED_PASSWORDS.includes(normalized.toLowerCase())) {
    return { ok: false, score: 0, problem: 'is published with this product; choose one of your own', suggestions: [] };
  }
  const result = estimator.check(normalized, contextWords(context));
  const suggestions = result.feedback.suggestions ?? [];
  if (result.score >= MIN_SCORE) return { ok: true, score: result.score, problem: null, suggestions };
  const why = result.feedback.warning ? ` (${lowerFirst(withoutStop(result.feedback.warning))})` : '';
  return {
    ok: false,
    score: result.score,
    problem: `is too easy to guess${why}: add another word or two, or make it longer`,
    suggestions,
  };
}
