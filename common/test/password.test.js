// The shared password policy, as the API and the web form apply it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessPassword, contextWords, loadEstimator, PASSWORD_MAX } from '../src/password.js';

const estimator = await loadEstimator();
const alice = { email: 'alice.smith@example.com', name: 'Alice Smith' };

test('refuses what an attacker tries first, saying why and how to fix it', () => {
  for (const password of ['aaaaaaaa', '        ', 'Password123!', 'qwertyuiop', 'ｐａｓｓｗｏｒｄ１２３', 'alice.smith@example.com', 'alicesmith2024', 'taskgate2026!']) {
    const verdict = assessPassword(estimator, password, alice);
    assert.equal(verdict.ok, false, `${JSON.stringify(password)} should be refused`);
    assert.match(verdict.problem, /^is too easy to guess.*: add another word or two, or make it longer$/, password);
    assert.ok(verdict.score < 3);
  }
});

test('refuses the password the product publishes for its demo account', () => {
  const verdict = assessPassword(estimator, 'taskgate-demo-password', {});
  assert.equal(verdict.ok, false);
  assert.match(verdict.problem, /published/);
});

test('accepts passphrases and random strings', () => {
  for (const password of ['correct horse battery staple', 'sunshine-ladder-tractor-42', 'xK9#mP2$vLq7', 'kj3h4k5jh34k5j']) {
    const verdict = assessPassword(estimator, password, alice);
    assert.deepEqual({ ok: verdict.ok, problem: verdict.problem }, { ok: true, problem: null }, password);
  }
});

test('the length rule answers first, counted in characters after NFKC', () => {
  assert.deepEqual(assessPassword(estimator, 'a7chars', {}), { ok: false, score: null, problem: 'must be at least 8 characters', suggestions: [] });
  assert.equal(assessPassword(estimator, '😀'.repeat(7), {}).problem, 'must be at least 8 characters');
  assert.equal(assessPassword(estimator, 'L'.repeat(PASSWORD_MAX + 1), {}).problem, 'must be at most 128 characters');
});

test('context words: the e-mail, its parts, the name and the product', () => {
  assert.deepEqual(contextWords(alice).sort(), ['alice', 'alice smith', 'alice.smith', 'alice.smith@example.com', 'alicesmith', 'example', 'smith', 'taskgate', 'taskgate-demo-password'].sort());
});
