import { dataverseCurrencyCodes } from '../../../../lambdas/adapters/dataverse/dataverse-currency-codes';
import { createStaticTokenSource } from '../../../../lambdas/adapters/dataverse/dataverse-token-source';
import { seedDemoData } from '../../../../sandbox/demo-data';
import { startSandboxDataverse } from '../../../../sandbox/dataverse/server';
import { withoutProxy } from '../../../helpers/no-proxy';

describe('dataverseCurrencyCodes against the sandbox Dataverse', () => {
  withoutProxy();

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
