// Secret handling for authentication: random tokens, their SHA-256 digests, constant-time comparison, argon2id
// password hashes and the sealing of TOTP secrets at rest (AES-256-GCM with a deployment key).
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** A new random token: `bytes` random bytes, base64url, after an optional recognisable prefix. */
export function randomToken(bytes: number, prefix = ''): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/**
 * SHA-256 hex digest. Enough for session, CSRF and API tokens and recovery codes: they carry 80 to 256 random
 * bits, so unlike passwords they cannot be guessed from a stolen digest.
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares two strings in time independent of where they differ (their lengths may leak, not their content). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(x, x); // same work either way
    return false;
  }
  return timingSafeEqual(x, y);
}

/** argon2id, the package defaults (m=19 MiB, t=2, p=1: OWASP's first recommended configuration). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash refuses, it does not crash the sign-in
  }
}

let dummyHash: Promise<string> | undefined;
/** A hash to verify against when the login is unknown, so that an unknown login costs the same time. */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hash(randomToken(24));
  return dummyHash;
}

/** Base32 without padding (RFC 4648), for recovery codes people type. */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A recovery code: 16 base32 characters (80 random bits) shown as XXXX-XXXX-XXXX-XXXX. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(16);
  let s = '';
  for (let i = 0; i < 16; i++) s += BASE32[bytes[i]! & 31]!;
  return s.match(/.{4}/g)!.join('-');
}

/**
 * Seals TOTP secrets at rest. With a 32-byte key: `gcm:v1:<iv>:<tag>:<ciphertext>` (AES-256-GCM, the user id as
 * associated data so a sealed secret cannot be moved to another user). Without a key: `plain:<secret>`, for
 * development and tests only (docs/security.md).
 */
export class SecretBox {
  constructor(private readonly key: Buffer | null) {
    if (key !== null && key.length !== 32) throw new Error('the TOTP key must be 32 bytes (CITYCAP_TOTP_KEY: 64 hex digits or base64)');
  }

  /** Reads CITYCAP_TOTP_KEY (64 hex digits or base64 of 32 bytes); none means unsealed storage. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox {
    const raw = env.CITYCAP_TOTP_KEY;
    if (raw === undefined || raw === '') return new SecretBox(null);
    const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    return new SecretBox(key);
  }

  get sealed(): boolean {
    return this.key !== null;
  }

  seal(secret: string, userId: string): string {
    if (this.key === null) return `plain:${secret}`;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(userId, 'utf8'));
    const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `gcm:v1:${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${ct.toString('base64url')}`;
  }

  open(sealed: string, userId: string): string {
    if (sealed.startsWith('plain:')) return sealed.slice('plain:'.length);
    const [scheme, version, iv, tag, ct] = sealed.split(':');
    if (scheme !== 'gcm' || version !== 'v1' || iv === undefined || tag === undefined || ct === undefined) throw new Error('unknown TOTP secret format');
    if (this.key === null) throw new Error('a sealed TOTP secret needs CITYCAP_TOTP_KEY');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(userId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
