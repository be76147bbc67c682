/**
 * Validates the bodies we send to Xero against Xero's own OpenAPI schemas (generated into
 * xero-accounting.schema.generated.json). Stricter than Xero: unknown properties are errors, so a misspelt field
 * fails here instead of being dropped silently by Xero. Plain module (no jest), usable by the sandbox Xero server.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import generatedSchema from './xero-accounting.schema.generated.json';

export type XeroSchemaName =
  | 'Contacts'
  | 'Items'
  | 'Invoices'
  | 'Invoice'
  | 'Contact'
  | 'Item'
  // Read by the preflight; validated to keep the sandbox's answers in the contract's shape.
  | 'Accounts'
  | 'TaxRates'
  | 'Currencies'
  | 'Organisations'
  | 'TrackingCategories'
  | 'TrackingOption'
  | 'BrandingThemes';

let ajv: Ajv | undefined;
const compiled = new Map<XeroSchemaName, ValidateFunction>();

function getAjv(): Ajv {
  if (ajv) return ajv;
  // strict: false because Xero's schemas carry vendor keywords (x-is-msdate…) that are not JSON Schema.
  const instance = new Ajv({ strict: false, allErrors: true });
  addFormats(instance);
  // OpenAPI numeric formats that JSON Schema does not define.
  instance.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  instance.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -2_147_483_648 && n <= 2_147_483_647,
  });
  instance.addSchema(generatedSchema);
  ajv = instance;
  return instance;
}

function validatorFor(name: XeroSchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    validate = getAjv().getSchema(`${generatedSchema.$id}#/$defs/${name}`);
    if (!validate) throw new Error(`no schema named ${name} in the Xero contract`);
    compiled.set(name, validate);
  }
  return validate;
}

function describe(error: ErrorObject): string {
  const path = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return `${path} must NOT have unknown property '${String(error.params.additionalProperty)}'`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params.allowedValues as unknown[]).map(String).join(', ');
    return `${path} must be one of: ${allowed}`;
  }
  return `${path} ${error.message ?? 'is invalid'}`;
}

/** Validates a request body against the named Xero schema. Returns [] when valid, else readable messages. */
export function validateXeroRequest(schemaName: XeroSchemaName, body: unknown): string[] {
  const validate = validatorFor(schemaName);
  if (validate(body)) return [];
  return (validate.errors ?? []).map(describe);
}
