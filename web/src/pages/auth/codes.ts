// What a person may type as a second factor: the app's 6 digits (shown as `123 456`) or a recovery code
// XXXX-XXXX-XXXX-XXXX. Checked as they type, with the same normalisation as the server (spaces and dashes removed).

export const TOTP_DIGITS = 6;
const RECOVERY_CHARS = 16;

export function normaliseCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

/** The catalogue key (auth namespace) of what is wrong with the code, or undefined when it may be sent. */
export function codeProblem(code: string, allowRecoveryCode: boolean): string | undefined {
  const c = normaliseCode(code);
  if (c === '') return 'codeErrors.required';
  if (/^\d+$/.test(c)) return c.length === TOTP_DIGITS ? undefined : 'codeErrors.digits';
  if (!allowRecoveryCode) return 'codeErrors.digitsOnly';
  return /^[A-Z2-7]+$/.test(c) && c.length === RECOVERY_CHARS ? undefined : 'codeErrors.recovery';
}
