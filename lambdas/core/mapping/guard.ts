import { ConnectorError, MappingError } from '../errors';
import { clean } from './text';

/**
 * Wraps a mapper so that malformed input always surfaces as a MappingError. A stray TypeError would be classified
 * as transient and retried although the same record can never map; a MappingError is permanent and reaches the
 * integration log with a reason.
 */
export function guardMapping<A extends unknown[], R>(
  what: string,
  mapper: (...args: A) => R,
  /** Names the record in the message (its key), when the input has one. */
  keyOf: (...args: A) => unknown = () => undefined
): (...args: A) => R {
  return (...args: A): R => {
    try {
      return mapper(...args);
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
      let key: string | undefined;
      try {
        key = clean(keyOf(...args));
      } catch {
        key = undefined;
      }
      const mappingError = new MappingError(
        `Cannot map ${what}${key === undefined ? '' : ` ${key}`}: malformed input (${reason})`
      );
      (mappingError as { cause?: unknown }).cause = error;
      throw mappingError;
    }
  };
}

/** A required record id, lower-cased (Dataverse GUIDs are case-insensitive; Xero keys are compared verbatim). */
export function requiredId(value: unknown, what: string): string {
  const id = clean(value);
  if (id === undefined) throw new MappingError(`${what} has no id`);
  return id.toLowerCase();
}

/** ISO 4217 code in upper case, or undefined when absent or not three letters. */
export function currencyCode(value: unknown): string | undefined {
  const code = clean(value)?.toUpperCase();
  return code !== undefined && /^[A-Z]{3}$/.test(code) ? code : undefined;
}
