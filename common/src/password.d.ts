export declare const PASSWORD_MIN: 8;
export declare const PASSWORD_MAX: 128;
export declare const MIN_SCORE: 3;
export declare const ESTIMATOR_OPTIONS: { maxLength: number; l33tMaxSubstitutions: number };
export declare const PUBLISHED_PASSWORDS: readonly string[];

export interface PasswordContext {
  email?: string | null;
  name?: string | null;
}

export interface Estimator {
  check(password: string, words: string[]): { score: number; feedback: { warning: string | null; suggestions: string[] } };
}

export interface PasswordVerdict {
  ok: boolean;
  /** zxcvbn's 0–4, or null when the length rule refused the password before estimating. */
  score: number | null;
  /** Why the password is refused, as a fragment after "Password " (e.g. "must be at least 8 characters"); null when ok. */
  problem: string | null;
  suggestions: string[];
}

export declare function normalizePassword(password: string): string;
export declare function passwordLength(password: string): number;
export declare function lengthProblem(password: string): string | null;
export declare function contextWords(context?: PasswordContext): string[];
export declare function loadEstimator(): Promise<Estimator>;
export declare function assessPassword(estimator: Estimator, password: string, context?: PasswordContext): PasswordVerdict;
