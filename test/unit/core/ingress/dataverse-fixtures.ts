import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Hand-written webhook bodies (invented values, real shapes) under test/fixtures/dataverse. */
export type DataverseFixture =
  | 'account-create'
  | 'account-update-non-ascii'
  | 'contact-update'
  | 'product-delete'
  | 'salesorder-size-exceeded'
  | 'salesorderdetail-update'
  | 'salesorderdetail-delete-preimage'
  | 'salesorderdetail-delete-noimage';

const FIXTURE_DIR = join(__dirname, '..', '..', '..', 'fixtures', 'dataverse');

/** The exact bytes Dataverse would POST. */
export function fixtureBytes(name: DataverseFixture): Buffer {
  return readFileSync(join(FIXTURE_DIR, `${name}.json`));
}

export function fixtureJson(name: DataverseFixture): Record<string, unknown> {
  return JSON.parse(fixtureBytes(name).toString('utf8')) as Record<string, unknown>;
}

export const FIXTURE_ORG_ID = '7c1e2a90-3b4d-4e5f-8a61-0f2d3c4b5a69';
export const FIXTURE_USER_ID = '5b0f9d2e-6c7a-4d18-9e3b-a1c2d3e4f501';
export const FIXTURE_ORDER_ID = '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d';
