/**
 * Short-lived, single-use signed tokens (consent state, connect links, tenant choice): HMAC-SHA256 over a small
 * JSON payload with a purpose, an expiry and a random nonce. Single use is enforced by a UsedNonceStore.
 * Node's crypto is used here on purpose: hashing is computation, not I/O.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { UsedNonceStore } from './ports';

export type TokenPurpose = 'consent-state' | 'connect-link' | 'choose-tenant' | 'replace-tenant' | 'admin-login';

interface Payload {
  readonly p: TokenPurpose;
  readonly exp: number;
  readonly n: string;
  readonly d?: string;
}

export type VerifyFailure = 'malformed' | 'bad_signature' | 'wrong_purpose' | 'expired' | 'reused' | 'wrong_browser';
export type VerifyResult = { ok: true; data?: string } | { ok: false; failure: VerifyFailure };

/** Derives the signing key so the admin token itself never signs anything directly. */
export function deriveSigningKey(secret: string): Buffer {
  if (secret.length < 16) throw new Error('signing secret must be at least 16 characters');
  return createHmac('sha256', secret).update('d365-xero-connector/signed-token/v1').digest();
}

export class TokenSigner {
  constructor(
    private readonly key: Buffer,
    private readonly nonces: UsedNonceStore
  ) {}

  sign(purpose: TokenPurpose, now: Date, ttlSeconds: number, data?: string): string {
    const payload: Payload = {
      p: purpose,
      exp: Math.floor(now.getTime() / 1000) + ttlSeconds,
      n: randomBytes(16).toString('base64url'),
      ...(data === undefined ? {} : { d: data }),
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /**
   * Checks signature, purpose and expiry, then burns the nonce: a second verify of the same token fails. `accept`
   * (e.g. "was this token issued to this browser?") runs before the nonce is burnt, so a stranger presenting a leaked
   * token cannot use it up for its owner.
   */
  async verify(
    token: string | undefined,
    purpose: TokenPurpose,
    now: Date,
    accept?: (data: string | undefined) => boolean
  ): Promise<VerifyResult> {
    const payload = this.check(token);
    if (!payload) return { ok: false, failure: token && token.includes('.') ? 'bad_signature' : 'malformed' };
    if (payload.p !== purpose) return { ok: false, failure: 'wrong_purpose' };
    const expiresAt = new Date(payload.exp * 1000);
    if (expiresAt.getTime() <= now.getTime()) return { ok: false, failure: 'expired' };
    if (accept && !accept(payload.d)) return { ok: false, failure: 'wrong_browser' };
    if (!(await this.nonces.consume(payload.n, expiresAt))) return { ok: false, failure: 'reused' };
    return payload.d === undefined ? { ok: true } : { ok: true, data: payload.d };
  }

  /** A value only this connector can compute from `input` (keyed HMAC), e.g. the PKCE verifier of a consent. */
  derive(label: string, input: string): string {
    return createHmac('sha256', this.key).update(`${label}\u0000${input}`).digest('base64url');
  }

  private check(token: string | undefined): Payload | null {
    if (!token || token.length > 4096) return null;
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return null;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload>;
      if (typeof parsed.p !== 'string' || typeof parsed.exp !== 'number' || typeof parsed.n !== 'string') return null;
      if (parsed.d !== undefined && typeof parsed.d !== 'string') return null;
      return parsed as Payload;
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** Constant-time comparison of a presented bearer token with the admin token (hashing equalises lengths). */
export function isAdminBearer(authorization: string | undefined, adminToken: string): boolean {
  if (!authorization || !adminToken) return false;
  const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  if (!match?.[1]) return false;
  const a = createHash('sha256').update(match[1]).digest();
  const b = createHash('sha256').update(adminToken).digest();
  return timingSafeEqual(a, b);
}
