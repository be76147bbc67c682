/**
 * Typed errors. Every error the connector raises on purpose is a ConnectorError with a stable `code` and a
 * `retryable` flag that decides its fate: retryable → the queue tries again later; permanent → integration log,
 * dead letter and a metric, never retried forever; reconnect → pause syncing and ask an operator to re-consent.
 */
export type ErrorDisposition = 'retry' | 'permanent' | 'reconnect';

export abstract class ConnectorError extends Error {
  abstract readonly code: string;
  abstract readonly disposition: ErrorDisposition;
  get retryable(): boolean {
    return this.disposition === 'retry';
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A transient failure: timeout, connection reset, 5xx. Safe to try again. */
export class TransientError extends ConnectorError {
  readonly code: string;
  readonly disposition = 'retry' as const;
  constructor(message: string, code = 'TRANSIENT', options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The remote side asked us to slow down (HTTP 429). `retryAfterMs` comes from Retry-After. */
export class RateLimitedError extends ConnectorError {
  readonly code = 'RATE_LIMITED';
  readonly disposition = 'retry' as const;
  constructor(
    message: string,
    readonly retryAfterMs: number,
    /** Which limit: Xero names `minute`, `day`, `concurrent`, `appminute`; Dataverse gives none. */
    readonly problem: string = 'minute'
  ) {
    super(message);
  }
}

/** Input that can never succeed as it is: a malformed payload, a field Xero rejects, a mapping impossibility. */
export class PermanentError extends ConnectorError {
  readonly code: string;
  readonly disposition = 'permanent' as const;
  constructor(message: string, code = 'PERMANENT', options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Bad input from a caller (webhook body, CLI argument, configuration). */
export class ValidationError extends PermanentError {
  constructor(
    message: string,
    readonly issues: readonly string[] = []
  ) {
    super(message, 'VALIDATION');
  }
}

/** A Dataverse record cannot be turned into a valid Xero document (e.g. totals that do not reconcile). */
export class MappingError extends PermanentError {
  constructor(message: string) {
    super(message, 'MAPPING');
  }
}

/** Xero refused a document (ValidationException); the messages are Xero's own. */
export class XeroValidationError extends PermanentError {
  constructor(
    message: string,
    readonly validationMessages: readonly string[] = []
  ) {
    super(message, 'XERO_VALIDATION');
  }
}

/** A Xero contact name is already used by a different contact: needs a human decision, never a silent rename. */
export class DuplicateContactNameError extends PermanentError {
  constructor(
    readonly contactName: string,
    readonly ourContactNumber: string,
    readonly existingContactId: string | undefined
  ) {
    super(
      `Xero already has a different contact named "${contactName}"` +
        (existingContactId ? ` (ContactID ${existingContactId})` : '') +
        `; the Dataverse record with ContactNumber ${ourContactNumber} cannot take the same name. ` +
        'Rename one of them, or enable the disambiguating suffix in the mapping settings.',
      'DUPLICATE_CONTACT_NAME'
    );
  }
}

/** The Xero connection needs an operator: invalid_grant, revoked app, removed tenant, no consent yet. */
export class ReconnectRequiredError extends ConnectorError {
  readonly code = 'RECONNECT_REQUIRED';
  readonly disposition = 'reconnect' as const;
  constructor(
    message: string,
    readonly reason: string = 'invalid_grant',
    /** Set when only this Xero organisation needs a new consent: only its work pauses. */
    readonly tenantId?: string
  ) {
    super(message);
  }
}

/** Classify anything thrown: our typed errors keep their disposition; unknown errors are treated as transient. */
export function dispositionOf(error: unknown): ErrorDisposition {
  return error instanceof ConnectorError ? error.disposition : 'retry';
}

/** A short, secret-free description for logs and the integration log. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error.slice(0, 500) : 'unknown error';
}
