import type {
  ExistingImage,
  ExistingStep,
  WebhookAction,
  WebhookRegistrationState,
} from '../../../lambdas/core/dataverse-admin';
import {
  bodyToSend,
  countByOp,
  describeWebhookPlan,
  filterKey,
  filteringAttributesOf,
  httpHeaderAuthValue,
  MAPPED_COLUMNS,
  planWebhookRegistration,
  planWebhookRemoval,
  stepName,
  WEBHOOK_MESSAGES,
  WEBHOOK_TABLES,
  webhookUrl,
} from '../../../lambdas/core/dataverse-admin';

const KEY = 'k-0f3a2b9c8d7e6f5a4b3c2d1e0f9a8b7c';
const SETTINGS = { baseUrl: 'https://sync.example.org/', webhookKey: KEY };
const NAME = 'D365 to Xero connector';

let counter = 0;
const guid = (): string => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

function freshOrg(): WebhookRegistrationState {
  const messageIds = { Create: guid(), Update: guid(), Delete: guid() };
  const filterIds: Record<string, string> = {};
  for (const table of WEBHOOK_TABLES)
    for (const message of WEBHOOK_MESSAGES) filterIds[filterKey(table, message)] = guid();
  return { endpoint: null, steps: [], images: [], messageIds, filterIds };
}

/** The state an org is in after the plan for `fresh` was applied exactly as planned. */
function registered(fresh: WebhookRegistrationState): WebhookRegistrationState {
  const endpoint = {
    id: guid(),
    name: NAME,
    url: 'https://sync.example.org/webhooks/dataverse',
    contract: 8,
    authtype: 5,
    messageformat: 2,
  };
  const steps: ExistingStep[] = [];
  const images: ExistingImage[] = [];
  for (const table of WEBHOOK_TABLES) {
    for (const message of WEBHOOK_MESSAGES) {
      const id = guid();
      steps.push({
        id,
        name: stepName(NAME, table, message),
        stage: 40,
        mode: 1,
        rank: 1,
        supporteddeployment: 0,
        asyncautodelete: true,
        // Dataverse may hand the list back in another order and case.
        filteringattributes: message === 'Update' ? filteringAttributesOf(table).split(',').reverse().join(', ') : null,
        sdkmessageid: fresh.messageIds[message]!.toUpperCase(),
        sdkmessagefilterid: fresh.filterIds[filterKey(table, message)]!,
        statecode: 0,
      });
      if (table === 'salesorderdetail') {
        images.push({
          id: guid(),
          stepId: id,
          name: 'order',
          entityalias: 'order',
          imagetype: message === 'Delete' ? 0 : 1,
          messagepropertyname: message === 'Create' ? 'Id' : 'Target',
          attributes: 'salesorderid',
        });
      }
    }
  }
  return { ...fresh, endpoint, steps, images };
}

const byKey = (actions: readonly WebhookAction[], key: string) => actions.find((action) => action.key === key);

describe('planWebhookRegistration', () => {
  it('should plan only creates on a fresh org: one endpoint, a step per table and message, three order images', () => {
    const plan = planWebhookRegistration(SETTINGS, freshOrg());

    expect(countByOp(plan)).toEqual({ create: 19, update: 0, delete: 0, unchanged: 0 });
    expect(plan.problems).toEqual([]);
    expect(byKey(plan.actions, 'endpoint')?.body).toEqual({
      name: NAME,
      url: 'https://sync.example.org/webhooks/dataverse',
      contract: 8,
      authtype: 5,
      authvalue: `<settings><setting name="x-connector-key" value="${KEY}" /></settings>`,
      messageformat: 2,
    });
  });

  it('should switch an old WebhookKey endpoint (key in ?code=) to HttpHeader authentication', () => {
    const state = registered(freshOrg());
    const old = { ...state, endpoint: { ...state.endpoint!, authtype: 4 } };

    const plan = planWebhookRegistration(SETTINGS, old);

    expect(byKey(plan.actions, 'endpoint')).toMatchObject({ op: 'update', changes: ['authtype'] });
    expect(byKey(plan.actions, 'endpoint')?.body).toMatchObject({ authtype: 5, authvalue: httpHeaderAuthValue(KEY) });
  });

  it('should escape the key inside the HttpHeader settings XML', () => {
    expect(httpHeaderAuthValue('a"b<c>&d')).toBe(
      '<settings><setting name="x-connector-key" value="a&quot;b&lt;c&gt;&amp;d" /></settings>'
    );
  });

  it('should plan nothing but unchanged when everything is already registered', () => {
    const state = registered(freshOrg());

    const plan = planWebhookRegistration(SETTINGS, state);

    expect(countByOp(plan)).toEqual({ create: 0, update: 0, delete: 0, unchanged: 19 });
  });

  it('should plan exactly one update when one step has other filtering attributes', () => {
    const state = registered(freshOrg());
    const steps = state.steps.map((step) =>
      step.name === stepName(NAME, 'product', 'Update') ? { ...step, filteringattributes: 'name' } : step
    );

    const plan = planWebhookRegistration(SETTINGS, { ...state, steps });

    const updates = plan.actions.filter((action) => action.op === 'update');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ key: 'step:product:Update', changes: ['filteringattributes'] });
    expect(updates[0]!.body?.filteringattributes).toBe(filteringAttributesOf('product'));
  });

  it("should add a sync condition's column to the order Update step, so setting it fires a webhook", () => {
    const state = registered(freshOrg());

    const plan = planWebhookRegistration(
      { ...SETTINGS, conditionColumns: { salesorder: ['d365x_synctoxero'] } },
      state
    );

    const updates = plan.actions.filter((action) => action.op === 'update');
    expect(updates.map((action) => action.key)).toEqual(['step:salesorder:Update']);
    expect(String(updates[0]!.body?.filteringattributes).split(',')).toEqual(
      expect.arrayContaining(['d365x_synctoxero', 'statecode', 'statuscode'])
    );
  });

  it('should add a routing lookup column to the order Update step by its logical name, not its Web API column', () => {
    const state = registered(freshOrg());

    const plan = planWebhookRegistration(
      { ...SETTINGS, conditionColumns: { salesorder: ['_new_legalentity_value'] } },
      state
    );

    const update = plan.actions.find((action) => action.key === 'step:salesorder:Update');
    const attributes = String(update?.body?.filteringattributes).split(',');
    expect(attributes).toEqual(expect.arrayContaining(['new_legalentity', 'owningbusinessunit']));
    expect(attributes).not.toContain('_new_legalentity_value');
  });

  it('should update the endpoint with the key when its URL moved, and only then', () => {
    const state = registered(freshOrg());

    const moved = planWebhookRegistration({ ...SETTINGS, baseUrl: 'https://new.example.org' }, state);
    const rotated = planWebhookRegistration({ ...SETTINGS, rewriteKey: true }, state);

    expect(byKey(moved.actions, 'endpoint')).toMatchObject({ op: 'update', changes: ['url'] });
    expect(byKey(moved.actions, 'endpoint')?.body?.authvalue).toBe(httpHeaderAuthValue(KEY));
    expect(byKey(rotated.actions, 'endpoint')).toMatchObject({ op: 'update', changes: ['authvalue'] });
  });

  it('should re-enable a disabled step and delete steps that are no longer wanted', () => {
    const state = registered(freshOrg());
    const stray = { ...state.steps[0]!, id: guid(), name: `${NAME}: Update of lead` };
    const steps = [...state.steps.map((s, i) => (i === 1 ? { ...s, statecode: 1 } : s)), stray];

    const plan = planWebhookRegistration(SETTINGS, { ...state, steps });

    const enabled = plan.actions.find((a) => a.id === state.steps[1]!.id);
    expect(enabled).toMatchObject({ op: 'update', changes: ['statecode'] });
    expect(enabled?.body).toMatchObject({ statecode: 0, statuscode: 1 });
    expect(plan.actions.filter((a) => a.op === 'delete')).toEqual([expect.objectContaining({ id: stray.id })]);
  });

  it('should recreate an order image whose alias is wrong and delete the stray one', () => {
    const state = registered(freshOrg());
    const images = state.images.map((image, i) => (i === 0 ? { ...image, entityalias: 'line' } : image));

    const plan = planWebhookRegistration(SETTINGS, { ...state, images });

    expect(countByOp(plan)).toMatchObject({ create: 1, delete: 1, update: 0 });
  });

  it('should use a post-image of Id on Create, of Target on Update and a pre-image of Target on Delete', () => {
    const plan = planWebhookRegistration(SETTINGS, freshOrg());

    expect(byKey(plan.actions, 'image:salesorderdetail:Create')?.body).toMatchObject({
      imagetype: 1,
      messagepropertyname: 'Id',
      entityalias: 'order',
      attributes: 'salesorderid',
    });
    expect(byKey(plan.actions, 'image:salesorderdetail:Update')?.body).toMatchObject({
      imagetype: 1,
      messagepropertyname: 'Target',
    });
    expect(byKey(plan.actions, 'image:salesorderdetail:Delete')?.body).toMatchObject({
      imagetype: 0,
      messagepropertyname: 'Target',
    });
  });

  it('should report SDK messages or filters the org lacks as problems', () => {
    const fresh = freshOrg();
    const { [filterKey('salesorderdetail', 'Delete')]: _gone, ...filterIds } = fresh.filterIds;

    const plan = planWebhookRegistration(SETTINGS, { ...fresh, filterIds });

    expect(plan.problems).toEqual(['Dataverse has no SDK message filter for Delete of salesorderdetail']);
  });

  it('should refuse to plan without a webhook key', () => {
    expect(() => planWebhookRegistration({ ...SETTINGS, webhookKey: ' ' }, freshOrg())).toThrow(
      /DATAVERSE_WEBHOOK_KEY/
    );
  });
});

describe('bodyToSend', () => {
  it('should bind a new step to the endpoint and SDK rows created or found earlier', () => {
    const fresh = freshOrg();
    const plan = planWebhookRegistration(SETTINGS, fresh);
    const step = byKey(plan.actions, 'step:account:Update')!;
    const endpointId = guid();

    const body = bodyToSend(step, { endpointId, stepIds: new Map() });

    expect(body).toMatchObject({
      stage: 40,
      mode: 1,
      asyncautodelete: true,
      'eventhandler_serviceendpoint@odata.bind': `/serviceendpoints(${endpointId})`,
      'sdkmessageid@odata.bind': `/sdkmessages(${fresh.messageIds.Update})`,
      'sdkmessagefilterid@odata.bind': `/sdkmessagefilters(${fresh.filterIds['account:Update']})`,
    });
  });

  it('should bind an image to the step created for it and refuse while that step is unknown', () => {
    const plan = planWebhookRegistration(SETTINGS, freshOrg());
    const image = byKey(plan.actions, 'image:salesorderdetail:Update')!;
    const stepId = guid();

    expect(() => bodyToSend(image, { stepIds: new Map() })).toThrow(/not known yet/);
    expect(bodyToSend(image, { stepIds: new Map([['step:salesorderdetail:Update', stepId]]) })).toMatchObject({
      'sdkmessageprocessingstepid@odata.bind': `/sdkmessageprocessingsteps(${stepId})`,
    });
  });
});

describe('planWebhookRemoval', () => {
  it('should delete every step before the endpoint', () => {
    const state = registered(freshOrg());

    const plan = planWebhookRemoval(state);

    expect(plan.actions).toHaveLength(16);
    expect(plan.actions.every((a) => a.op === 'delete')).toBe(true);
    expect(plan.actions.at(-1)).toMatchObject({ collection: 'serviceendpoints', id: state.endpoint!.id });
  });
});

describe('webhook plan helpers', () => {
  it('should never show the key in the described plan', () => {
    const lines = describeWebhookPlan(planWebhookRegistration(SETTINGS, freshOrg()));

    expect(lines.join('\n')).not.toContain(KEY);
    expect(lines[0]).toMatch(
      /^create\s+webhook "D365 to Xero connector" → https:\/\/sync.example.org\/webhooks\/dataverse$/
    );
  });

  it('should build the webhook URL under a base path and refuse plain http or query strings', () => {
    expect(webhookUrl('https://api.example.org/prod/')).toBe('https://api.example.org/prod/webhooks/dataverse');
    expect(() => webhookUrl('http://api.example.org')).toThrow(/https/);
    expect(() => webhookUrl('https://api.example.org/?code=x')).toThrow(/query/);
    expect(() => webhookUrl('not a url')).toThrow(/not a URL/);
    expect(() => webhookUrl('https://api.example.org:8443')).toThrow(/ports 80 and 443/);
    expect(webhookUrl('https://api.example.org:443')).toBe('https://api.example.org/webhooks/dataverse');
  });

  it('should keep the filtering attributes sorted, unique and free of system columns', () => {
    for (const table of WEBHOOK_TABLES) {
      const columns = filteringAttributesOf(table).split(',');
      expect(columns).toEqual([...new Set(MAPPED_COLUMNS[table])].sort());
      expect(columns).not.toContain('modifiedon');
    }
  });
});
