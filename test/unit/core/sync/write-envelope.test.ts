import { ValidationError } from '../../../../lambdas/core/errors';
import { parseXeroWrite } from '../../../../lambdas/core/sync/schemas';

const source = { table: 'account', id: '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301', event: 'Update' };
const DE = '22222222-2222-4222-8222-222222222222';

describe('queued Xero write envelope', () => {
  it("should keep a routed write's organisation", () => {
    const body = JSON.stringify({ kind: 'archive-contact', source, contactNumber: source.id, tenantId: DE });
    expect(parseXeroWrite(body).tenantId).toBe(DE);
  });

  it('should refuse a write whose organisation is not a tenant id string', () => {
    const body = JSON.stringify({ kind: 'archive-contact', source, contactNumber: source.id, tenantId: 42 });
    expect(() => parseXeroWrite(body)).toThrow(ValidationError);
  });
});
