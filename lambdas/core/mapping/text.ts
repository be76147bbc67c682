/**
 * Text helpers for Xero's field limits. Limits are counted in UTF-16 code units (what Xero's .NET back end counts),
 * and a cut never splits a surrogate pair, so "北京 🚀" shortens to "北京 " rather than to a lone half of the emoji.
 * Text is otherwise passed through untouched: no normalisation, no transliteration.
 */

/** Xero Accounting API string limits used by the mappers. */
export const XERO_LIMITS = {
  contactName: 255,
  contactNumber: 50,
  accountNumber: 50,
  personName: 255,
  email: 255,
  phoneNumber: 50,
  addressLine: 500,
  city: 255,
  region: 255,
  postalCode: 50,
  country: 50,
  itemCode: 30,
  itemName: 50,
  itemDescription: 4000,
  lineDescription: 4000,
  invoiceNumber: 255,
  reference: 255,
} as const;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The longest prefix of `value` that fits `maxLength` UTF-16 units without cutting a surrogate pair in half. */
export function truncate(value: string, maxLength: number): string {
  if (value.length <= maxLength) return value;
  const end = Math.max(0, maxLength);
  return isHighSurrogate(value.charCodeAt(end - 1)) ? value.slice(0, end - 1) : value.slice(0, end);
}

/** Trimmed string, or undefined for anything that is not a non-blank string. */
export function clean(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Trimmed, shortened to `maxLength`, trimmed again (a cut may expose a space); undefined when blank. */
export function cleanText(value: unknown, maxLength: number): string | undefined {
  const trimmed = clean(value);
  return trimmed === undefined ? undefined : clean(truncate(trimmed, maxLength));
}

/** A copy without the keys whose value is undefined: Xero reads an absent field as "leave unchanged". */
export function withoutUndefined<T extends object>(value: T): T {
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) copy[key] = field;
  }
  return copy as T;
}
