/**
 * Webhooks dropped on the floor: a real-mode connector against the fakes with NO webhook delivery at all. The
 * catch-up sweep alone must bring the seeded records to Xero, then carry an order cancelled in Dataverse (no Update
 * webhook, as FulfillSalesOrder/CancelSalesOrder may give none) to Xero; /status reports the missed changes and the
 * preflight against the connected Xero organisation.
 */
import type { LocalConnector } from '../../src/local/local-connector';
import { DEMO_IDS } from '../../sandbox/demo-data';
import {
  adminFetch,
  closeQuietly,
  collectingLogger,
  consentOverHttp,
  invoicesByReference,
  startFakes,
  startRealConnector,
  tempDataDir,
  waitFor,
  type Fakes,
} from '../helpers/e2e-harness';

jest.setTimeout(90_000);

const data = tempDataDir('sweep');
let fakes: Fakes;
let connector: LocalConnector;
let url: string;

interface ChecksBody {
  sweep?: { missedTotal?: number; lastRunAt?: string; queued?: number };
  preflight?: {
    ok: boolean;
    organisation?: { baseCurrency: string; timezone?: string; shortCode?: string };
    problems: { setting: string; validChoices: string }[];
    warnings: string[];
  };
}
const checks = async (): Promise<ChecksBody> => (await (await adminFetch(url, '/status')).json()) as ChecksBody;

beforeAll(async () => {
  fakes = await startFakes(data.dir, { seed: true });
  // The demo data has USD and EUR orders; this organisation has not enabled EUR.
  const currencies = fakes.systems.accounting.organisationSettings().foreignCurrencies;
  currencies.splice(0, currencies.length, 'USD');
  connector = await startRealConnector(
    {
      ...fakes.env,
      DATAVERSE_SWEEP_INTERVAL_SECONDS: '10',
      // The default chart has no account 999: the preflight must say so and list the revenue accounts.
      MAPPING_SETTINGS: JSON.stringify({ freightAccountCode: '999' }),
    },
    collectingLogger().logger
  );
  url = connector.app.url;
  expect((await consentOverHttp(url)).status).toBe(200);
});

afterAll(async () => {
  await closeQuietly(connector, fakes?.systems);
  data.remove();
});

it('should sync records no webhook delivered and count them as missed', async () => {
  await waitFor('the seeded order in Xero', () => invoicesByReference(fakes.systems, 'ORD-01001-HVP').length === 1, {
    timeoutMs: 40_000,
  });
  const status = await waitFor('the sweep figures', async () => {
    const body = await checks();
    return (body.sweep?.missedTotal ?? 0) > 0 ? body : undefined;
  });
  expect(status.sweep?.lastRunAt).toBeDefined();
  // The sync status the integration log writes back bumps modifiedon: later sweeps must not take it for a change.
  await waitFor(
    'a sweep that finds nothing new',
    async () => {
      const body = await checks();
      return body.sweep?.lastRunAt !== status.sweep?.lastRunAt && body.sweep?.queued === 0;
    },
    { timeoutMs: 30_000 }
  );
});

it('should void the invoice of an order cancelled without any webhook', async () => {
  fakes.systems.dataverseServer.state.update('salesorder', DEMO_IDS.orders.harbourview, {
    statecode: 2,
    statuscode: 4,
  });
  await waitFor(
    'the cancelled order voided in Xero',
    () => {
      const [invoice] = invoicesByReference(fakes.systems, 'ORD-01001-HVP');
      return invoice && ['VOIDED', 'DELETED'].includes(String(invoice.Status));
    },
    { timeoutMs: 40_000 }
  );
});

it('should show the preflight: the organisation, and the broken setting with its valid choices', async () => {
  const body = await waitFor('the preflight', async () => (await checks()).preflight, { timeoutMs: 30_000 });
  expect(body.ok).toBe(false);
  expect(body.organisation).toMatchObject({ baseCurrency: 'NZD', timezone: 'NEWZEALANDSTANDARDTIME' });
  expect(body.warnings).toEqual([expect.stringContaining('active currency EUR, which is not enabled in Xero')]);
  expect(body.problems).toEqual([
    expect.objectContaining({ setting: 'freightAccountCode', validChoices: expect.stringContaining('200 Sales') }),
  ]);
});
