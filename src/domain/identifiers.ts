// Identifiers that reach a query before the request is validated (authorization hooks) must be plain printable
// text: PostgreSQL refuses a NUL byte in a text parameter, and nothing citycap names contains control characters.

/** True for 1–max printable ASCII characters (codes, account numbers, UUIDs). */
export function isPlainIdentifier(value: unknown, max = 64): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= max && /^[\x21-\x7E]+$/.test(value);
}
