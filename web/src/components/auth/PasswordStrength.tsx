'use client';

// Live password feedback for the sign-up form, with the API's own policy (@taskgate/common/password):
// the same estimator (zxcvbn-ts), the same context words (email, name, "taskgate") and the same
// sentence when it refuses. The estimator's dictionaries (~2 MB) are a separate chunk, fetched the
// first time the password field is focused or typed in, never for the page's first paint.
import {
  MIN_SCORE,
  assessPassword,
  lengthProblem,
  loadEstimator,
  passwordLength,
  PASSWORD_MIN,
  type Estimator,
  type PasswordContext,
  type PasswordVerdict,
} from '@taskgate/common/password';
import { useCallback, useMemo, useRef, useState } from 'react';

export type EstimatorStatus = 'idle' | 'loading' | 'ready' | 'unavailable';

export interface PasswordStrength {
  status: EstimatorStatus;
  /** Starts loading the estimator (once); resolves when it is ready or could not be loaded. */
  load: () => Promise<void>;
  /** The estimator's verdict, or null while it is not loaded (or the password is empty). */
  assess: (password: string, context: PasswordContext) => PasswordVerdict | null;
  /**
   * The sentence that refuses this password, as the API words it ("Password is too easy to guess
   * (…): add another word or two, or make it longer."), or undefined. Before the estimator has
   * loaded (or if it cannot be), only the length rule is checked: the API still checks the rest.
   */
  problem: (password: string, context: PasswordContext) => string | undefined;
}

export function usePasswordStrength(): PasswordStrength {
  const [estimator, setEstimator] = useState<Estimator | null>(null);
  const [status, setStatus] = useState<EstimatorStatus>('idle');
  // `problem` runs right after `load()` resolves in a submit handler, before React re-renders:
  // it reads the estimator from here, not from the render's state.
  const loaded = useRef<Estimator | null>(null);
  const loading = useRef<Promise<void> | null>(null);

  const load = useCallback(() => {
    loading.current ??= (async () => {
      setStatus('loading');
      try {
        const ready = await loadEstimator();
        loaded.current = ready;
        setEstimator(() => ready);
        setStatus('ready');
      } catch {
        // Offline or a failed chunk: fall back to the length rule; a later focus tries again.
        loading.current = null;
        setStatus('unavailable');
      }
    })();
    return loading.current;
  }, []);

  const assess = useCallback(
    (password: string, context: PasswordContext) =>
      estimator && password !== '' ? assessPassword(estimator, password, context) : null,
    [estimator],
  );

  const problem = useCallback((password: string, context: PasswordContext) => {
    const found = loaded.current ? assessPassword(loaded.current, password, context).problem : lengthProblem(password);
    return found ? `Password ${found}.` : undefined;
  }, []);

  return useMemo(() => ({ status, load, assess, problem }), [status, load, assess, problem]);
}

const SCORE_WORDS = ['very weak', 'weak', 'fair', 'strong', 'very strong'];

/**
 * What the meter says about `password`: the score in words and numbers (not colour only), why it
 * would be refused, and the estimator's suggestions.
 */
export function describeStrength(
  verdict: PasswordVerdict | null,
  password: string,
): { score: number | null; summary: string; detail: string | null; tips: string[] } {
  const length = passwordLength(password);
  if (!verdict) {
    return length < PASSWORD_MIN
      ? { score: null, summary: `${length} of at least ${PASSWORD_MIN} characters.`, detail: null, tips: [] }
      : { score: null, summary: 'Checking how easy it is to guess…', detail: null, tips: [] };
  }
  if (verdict.score === null) {
    return {
      score: null,
      summary:
        length < PASSWORD_MIN
          ? `${length} of at least ${PASSWORD_MIN} characters.`
          : `Too long: ${length} characters.`,
      detail: `Password ${verdict.problem}.`,
      tips: [],
    };
  }
  const summary = `Strength: ${SCORE_WORDS[verdict.score]} (${verdict.score} of 4)${
    verdict.ok ? ', good to go.' : `, needs ${MIN_SCORE} or more.`
  }`;
  return {
    score: verdict.score,
    summary,
    detail: verdict.ok ? null : `Password ${verdict.problem}.`,
    tips: verdict.suggestions,
  };
}

/**
 * The meter under the password field. `id` is for the field's aria-describedby. `fieldError`: the
 * field already shows why the password is refused, so the meter does not repeat it.
 */
export function PasswordMeter({
  id,
  password,
  verdict,
  status,
  fieldError,
}: {
  id: string;
  password: string;
  verdict: PasswordVerdict | null;
  status: EstimatorStatus;
  fieldError?: string | undefined;
}) {
  // The live region stays in the page, so the first summary is announced too.
  const { score, summary, detail, tips } =
    password === ''
      ? { score: null, summary: '', detail: null, tips: [] }
      : status === 'unavailable'
        ? {
            score: null,
            summary: 'The strength check could not be loaded; the server checks the password when you submit.',
            detail: null,
            tips: [],
          }
        : describeStrength(verdict, password);
  const filled = score === null ? 0 : score + 1;
  return (
    <div id={id} className="strength" data-score={score ?? 'none'}>
      {password === '' ? null : (
        <div className="strength__bar" aria-hidden="true">
          {[0, 1, 2, 3, 4].map((i) => (
            <span key={i} className={i < filled ? 'strength__segment strength__segment--on' : 'strength__segment'} />
          ))}
        </div>
      )}
      <p className="strength__summary" aria-live="polite">
        {summary}
      </p>
      {detail && !fieldError ? <p className="strength__detail">{detail}</p> : null}
      {tips.length > 0 ? (
        <ul className="strength__tips">
          {tips.map((tip) => (
            <li key={tip}>{tip}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
