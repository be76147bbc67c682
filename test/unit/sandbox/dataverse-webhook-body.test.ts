import {
  buildRemoteExecutionContext,
  buildWebhookDelivery,
  webhookHeaders,
} from '../../../sandbox/dataverse/webhook-body';

type KeyValue = { key: string; value: unknown };

const base = {
  organizationId: '3f9d2a71-64c8-4b0e-a5d2-8e1c7b40f6a9',
  organizationName: 'sandboxorg',
  userId: '7c2e5b18-0d94-4f3a-b6e1-29a8d4c7e530',
  when: new Date(Date.UTC(2026, 2, 4, 8, 15, 30)),
};

function byKey(list: unknown, key: string): unknown {
  return (list as KeyValue[]).find((kv) => kv.key === key)?.value;
}

describe('sandbox Dataverse webhook body', () => {
  it('should build an Update context with an Entity target of changed columns as key/value arrays', () => {
    const body = buildRemoteExecutionContext({
      ...base,
      table: 'account',
      id: 'a1b2c3d4-0000-4000-8000-000000000001',
      message: 'Update',
      changed: { telephone1: '+64 9 555 0100', creditlimit: 1500, statecode: 0 },
    });
    // Round-trip through JSON as the HTTP body would.
    const parsed = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      MessageName: 'Update',
      PrimaryEntityName: 'account',
      PrimaryEntityId: 'a1b2c3d4-0000-4000-8000-000000000001',
      Stage: 40,
      Mode: 1,
      OperationCreatedOn: `/Date(${base.when.getTime()})/`,
      OrganizationId: base.organizationId,
    });
    const target = byKey(parsed.InputParameters, 'Target') as Record<string, unknown>;
    expect(target.__type).toBe('Entity:http://schemas.microsoft.com/xrm/2011/Contracts');
    expect(target.LogicalName).toBe('account');
    const attributes = target.Attributes as KeyValue[];
    expect(attributes.map((a) => a.key)).toEqual([
      'telephone1',
      'creditlimit',
      'statecode',
      'accountid',
      'modifiedon',
      'modifiedby',
      'modifiedonbehalfby',
    ]);
    expect(byKey(attributes, 'creditlimit')).toEqual({
      __type: 'Money:http://schemas.microsoft.com/xrm/2011/Contracts',
      Value: 1500,
    });
    expect(byKey(attributes, 'statecode')).toEqual({
      __type: 'OptionSetValue:http://schemas.microsoft.com/xrm/2011/Contracts',
      Value: 0,
    });
    expect(byKey(attributes, 'modifiedon')).toBe(`/Date(${base.when.getTime()})/`);
    expect(byKey(attributes, 'modifiedby')).toMatchObject({ LogicalName: 'systemuser', Id: base.userId });
    expect(parsed.OutputParameters).toEqual([]);
    expect((parsed.ParentContext as Record<string, unknown>).Stage).toBe(30);
  });

  it('should carry the new id in OutputParameters on Create and the order reference on line targets', () => {
    const body = buildRemoteExecutionContext({
      ...base,
      table: 'salesorderdetail',
      id: 'b1b2c3d4-0000-4000-8000-000000000002',
      message: 'Create',
      parentOrderId: 'c1b2c3d4-0000-4000-8000-000000000003',
      changed: { quantity: 2, priceperunit: 12.5 },
    });
    expect(body.OutputParameters).toEqual([{ key: 'id', value: 'b1b2c3d4-0000-4000-8000-000000000002' }]);
    const target = byKey(body.InputParameters, 'Target') as Record<string, unknown>;
    expect(byKey(target.Attributes, 'salesorderid')).toMatchObject({
      __type: 'EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts',
      LogicalName: 'salesorder',
      Id: 'c1b2c3d4-0000-4000-8000-000000000003',
    });
    expect(byKey(target.Attributes, 'priceperunit')).toMatchObject({ Value: 12.5 });
  });

  it('should use an EntityReference target on Delete', () => {
    const body = buildRemoteExecutionContext({
      ...base,
      table: 'contact',
      id: 'd1b2c3d4-0000-4000-8000-000000000004',
      message: 'Delete',
    });
    expect(byKey(body.InputParameters, 'Target')).toEqual({
      __type: 'EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts',
      Id: 'd1b2c3d4-0000-4000-8000-000000000004',
      KeyAttributes: [],
      LogicalName: 'contact',
      Name: null,
      RowVersion: null,
    });
    expect(body.PostEntityImages).toEqual([]);
  });

  it('should build the Dataverse webhook headers with a shared correlation id', () => {
    expect(
      webhookHeaders({
        table: 'product',
        message: 'Update',
        organization: 'org.crm.dynamics.com',
        correlationId: 'corr-1',
      })
    ).toEqual({
      'content-type': 'application/json',
      'x-ms-dynamics-organization': 'org.crm.dynamics.com',
      'x-ms-dynamics-entity-name': 'product',
      'x-ms-dynamics-request-name': 'Update',
      'x-ms-correlation-request-id': 'corr-1',
    });
    const delivery = buildWebhookDelivery({
      ...base,
      table: 'account',
      id: 'e1b2c3d4-0000-4000-8000-000000000005',
      message: 'Create',
      organization: 'org.example',
    });
    expect(delivery.headers['x-ms-correlation-request-id']).toBe(delivery.body.CorrelationId);
  });
});
