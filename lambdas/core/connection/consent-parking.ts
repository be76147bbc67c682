/**
 * Consents parked server-side while the browser that started them decides (which organisation; whether to replace
 * the connected one). The browser gets a signed single-use token naming the parked entry and the hash of its
 * consent cookie; a token presented without that cookie is refused before it is burnt.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../ports';
import { bindingHash } from './consent-binding';
import type { PendingConsentStore } from './ports';
import type { TokenSigner, VerifyFailure } from './signed-token';
import type { PendingConsent, TokenSet, XeroTenantConnection } from './types';

export type ParkPurpose = 'choose-tenant' | 'replace-tenant';

interface ParkingDeps {
  readonly signer: TokenSigner;
  readonly pending: PendingConsentStore;
  readonly clock: Clock;
  readonly stateTtlSeconds?: number;
}

/** Data of a choice/confirmation token: the parked consent and the hash of the browser binding. */
interface BoundChoice {
  readonly id: string;
  readonly b: string;
}

const DEFAULT_TTL_SECONDS = 600;

export async function parkConsent(
  deps: ParkingDeps,
  purpose: ParkPurpose,
  tokens: TokenSet,
  tenants: readonly XeroTenantConnection[],
  hash: string
): Promise<{ id: string; token: string }> {
  const now = deps.clock.now();
  const ttl = deps.stateTtlSeconds ?? DEFAULT_TTL_SECONDS;
  const id = randomBytes(16).toString('base64url');
  await deps.pending.put({ id, tokens, tenants, expiresAt: new Date(now.getTime() + ttl * 1000).toISOString() });
  const data: BoundChoice = { id, b: hash };
  return { id, token: deps.signer.sign(purpose, now, ttl, JSON.stringify(data)) };
}

/** The parked consent if `token` is valid, unused and presented by the browser that parked it. */
export async function takeParkedConsent(
  deps: ParkingDeps,
  purpose: ParkPurpose,
  token: string | undefined,
  binding: string | undefined
): Promise<{ pending: PendingConsent; hash: string } | { failure: VerifyFailure | 'expired_choice' }> {
  const now = deps.clock.now();
  const hash = binding ? bindingHash(binding) : undefined;
  let choice: BoundChoice | undefined;
  const verified = await deps.signer.verify(token, purpose, now, (data) => {
    choice = parseChoice(data);
    return choice !== undefined && hash !== undefined && choice.b === hash;
  });
  if (!verified.ok) return { failure: verified.failure };
  if (!choice) return { failure: 'malformed' };
  const pending = await deps.pending.take(choice.id);
  if (!pending || Date.parse(pending.expiresAt) <= now.getTime()) return { failure: 'expired_choice' };
  return { pending, hash: choice.b };
}

function parseChoice(data: string | undefined): BoundChoice | undefined {
  try {
    const parsed = JSON.parse(data ?? '') as Partial<BoundChoice>;
    return typeof parsed.id === 'string' && typeof parsed.b === 'string' ? { id: parsed.id, b: parsed.b } : undefined;
  } catch {
    return undefined;
  }
}
