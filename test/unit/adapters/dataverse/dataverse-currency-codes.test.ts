import { dataverseCurrencyCodes } from '../../../../lambdas/adapters/dataverse/dataverse-currency-codes';
import { createStaticTokenSource } from '../../../../lambdas/adapters/dataverse/dataverse-token-source';
import { seedDemoData } from '../../../../sandbox/demo-data';
import { startSandboxDataverse } from '../../../../sandbox/dataverse/server';

describe('dataverseCurrencyCodes against the sandbox Dataverse', () => {
  const saved = { http: process.env['http_proxy'], https: process.env['https_proxy'] };
  beforeAll(() => {
    delete process.env['http_proxy'];
    delete process.env['https_proxy'];
  });
  afterAll(() => {
    if (saved.http !== undefined) process.env['http_proxy'] = saved.http;
    if (saved.https !== undefined) process.env['https_proxy'] = saved.https;
  });

  it('should list the active transaction currencies and leave out a deactivated one', async () => {
    const dv = await startSandboxDataverse({ accessToken: 'tok' });
    try {
      const ids = seedDemoData(dv.state);
      const codes = dataverseCurrencyCodes({ serverUrl: dv.url, tokenSource: createStaticTokenSource('tok') });
      expect((await codes()).sort()).toEqual(['EUR', 'USD']);
      dv.state.update('transactioncurrency', ids.currencies.eur, { statecode: 1 });
      expect(await codes()).toEqual(['USD']);
    } finally {
      await dv.close();
    }
  });
});
