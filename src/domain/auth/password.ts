// Password policy (NIST SP 800-63B §5.1.1.2): length counts, composition rules do not; refuse the login itself and
// the passwords that every guessing list starts with.
import { refusal, type Refusal } from '../errors.js';
import { AUTH_LIMITS } from './settings.js';

/** The most common passwords of at least 12 characters in public breach lists (lower case). */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456123456',
  '111111111111',
  '000000000000',
  '123123123123',
  'qwertyuiopas',
  'qwertyuiop123',
  'qwerty123456',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'iloveyou1234',
  'administrator',
  'administrator1',
  'letmein12345',
  'welcome12345',
  'changeme1234',
  'abcdefghijkl',
  'abc123abc123',
  'aaaaaaaaaaaa',
  'trustno1trustno1',
  'correcthorsebatterystaple',
  'citycapcitycap',
  'citycap12345',
]);

const GRAPHEMES = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Characters as a person counts them (an emoji or a letter with its accent is one). */
export function passwordLength(password: string): number {
  // Far over the limit whatever the counting: do not segment a megabyte.
  if (password.length > AUTH_LIMITS.passwordCharsMax * 8) return password.length;
  return Array.from(GRAPHEMES.segment(password)).length;
}

/** The refusals for a new password, empty when it is acceptable. */
export function passwordProblems(password: string, login: string): Refusal[] {
  const length = passwordLength(password);
  if (length < AUTH_LIMITS.passwordCharsMin) return [refusal('PASSWORD_TOO_SHORT', `A password has at least ${AUTH_LIMITS.passwordCharsMin} characters.`, 'password')];
  if (length > AUTH_LIMITS.passwordCharsMax) return [refusal('PASSWORD_TOO_LONG', `A password has at most ${AUTH_LIMITS.passwordCharsMax} characters.`, 'password')];
  const lower = password.normalize('NFKC').toLowerCase();
  const problems: Refusal[] = [];
  const loginLower = login.trim().toLowerCase();
  const loginLocal = loginLower.split('@')[0] ?? loginLower;
  if (lower === loginLower || lower === loginLocal || (loginLocal.length >= 4 && lower.includes(loginLocal) && lower.replace(loginLocal, '').length < 6)) {
    problems.push(refusal('PASSWORD_IS_LOGIN', 'A password must not be the login name.', 'password'));
  }
  if (COMMON_PASSWORDS.has(lower) || new Set(lower).size === 1) problems.push(refusal('PASSWORD_COMMON', 'This password is among the most commonly used; choose another.', 'password'));
  return problems;
}
