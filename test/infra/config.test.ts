import { buildApp } from '../../lib/app';
import { environments } from '../../lib/config/environments';
import type { EnvironmentConfig } from '../../lib/config/types';
import { ConfigError, resolveEnvironmentConfig, validateEnvironmentConfig } from '../../lib/config/validate';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { DEFAULT_MAPPING_SETTINGS } from '../../lambdas/core/settings';
import { mappingSettingsFromJson } from '../../lambdas/core/settings-schema';
import { writebackColumnsFromJson } from '../../lambdas/core/writeback/columns';

/** A copy of a checked-in stage with some fields replaced (deliberately loose: tests feed invalid values). */
function devWith(overrides: Record<string, unknown>): Record<string, unknown> {
  return { ...environments.dev, ...overrides };
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Stage configuration', () => {
  describe('checked-in environments', () => {
    it.each(['dev', 'prod'] as const)('should accept the %s configuration', (stage) => {
      // Act
      const config = resolveEnvironmentConfig(stage);

      // Assess
      expect(config.stage).toBe(stage);
      expect(config.dataverseUrl).toMatch(/^https:\/\//);
    });

    it('should spread every stage mapping over the default mapping settings', () => {
      for (const config of Object.values(environments)) {
        expect(Object.keys(config.mapping)).toEqual(expect.arrayContaining(Object.keys(DEFAULT_MAPPING_SETTINGS)));
      }
    });

    it('should retain data and enable point-in-time recovery in prod only', () => {
      expect([environments.prod.retainData, environments.prod.pointInTimeRecovery]).toEqual([true, true]);
      expect([environments.dev.retainData, environments.dev.pointInTimeRecovery]).toEqual([false, false]);
    });
  });

  describe('stage selection', () => {
    it.each([undefined, 'staging', 42])('should reject stage %p and list the valid stages', (stage) => {
      // Act
      const error = errorOf(() => resolveEnvironmentConfig(stage));

      // Assess
      expect(error.message).toMatch(/stage must be one of dev, prod/);
    });

    it('should stop building the app when -c stage is missing', () => {
      expect(() => buildApp()).toThrow(ConfigError);
    });
  });

  describe('field validation', () => {
    it.each([
      ['dataverseUrl', { dataverseUrl: 'contoso.crm.dynamics.com' }, 'dataverseUrl'],
      ['http Dataverse URL', { dataverseUrl: 'http://contoso.crm.dynamics.com' }, 'dataverseUrl'],
      ['Xero API URL', { xero: { ...environments.dev.xero, apiUrl: 'ftp://api.xero.com' } }, 'xero.apiUrl'],
      ['alarm e-mail', { alarmEmails: ['ops@example.com', 'not-an-address'] }, 'alarmEmails[1]'],
      ['no alarm e-mail', { alarmEmails: [] }, 'alarmEmails'],
      ['refresh rate unit', { schedules: { tokenRefreshRate: '20 mins' } }, 'schedules.tokenRefreshRate'],
      ['singular rate of 1', { schedules: { tokenRefreshRate: '1 minutes' } }, 'schedules.tokenRefreshRate'],
      ['log retention', { logRetentionDays: 13 }, 'logRetentionDays'],
      ['post concurrency above Xero limit', { postConcurrency: 5 }, 'postConcurrency'],
      ['day budget above Xero limit', { xeroDayBudget: 10_000 }, 'xeroDayBudget'],
      ['tenant id', { xeroTenantId: 'my-org' }, 'xeroTenantId'],
      ['mapping status', { mapping: { ...DEFAULT_MAPPING_SETTINGS, invoiceStatus: 'PAID' } }, 'mapping.invoiceStatus'],
      [
        'mapping tables',
        { mapping: { ...DEFAULT_MAPPING_SETTINGS, syncedTables: ['lead'] } },
        'mapping.syncedTables[0]',
      ],
      ['unknown key', { retainSecrets: true }, 'retainSecrets'],
      // Values the functions' own schema (core/settings-schema.ts) refuses at cold start must stop synth too.
      [
        'rounding tolerance finer than 4 places',
        { mapping: { ...DEFAULT_MAPPING_SETTINGS, roundingTolerance: '0.00001' } },
        'mapping.roundingTolerance',
      ],
      [
        'sales account code longer than Xero allows',
        { mapping: { ...DEFAULT_MAPPING_SETTINGS, salesAccountCode: 'A'.repeat(21) } },
        'mapping.salesAccountCode',
      ],
      ['connector user id', { dataverseConnectorUserId: 'app-user' }, 'dataverseConnectorUserId'],
      ['write-back column', { writebackColumns: { status: 'Bad Name' } }, 'writebackColumns.status'],
      ['write-back field', { writebackColumns: { colour: 'd365x_colour' } }, 'writebackColumns'],
    ])('should name the field when the %s is invalid', (_label, overrides, field) => {
      // Act
      const error = errorOf(() => validateEnvironmentConfig('dev', devWith(overrides)));

      // Assess
      expect(error.message).toContain('stage "dev"');
      expect(error.message).toContain(field);
    });

    it('should name every invalid field at once', () => {
      const error = errorOf(() =>
        validateEnvironmentConfig('dev', devWith({ dataverseUrl: 'x', logRetentionDays: 2 }))
      );
      expect(error.message).toContain('dataverseUrl');
      expect(error.message).toContain('logRetentionDays');
    });

    it('should reject a configuration filed under the wrong stage', () => {
      const error = errorOf(() => validateEnvironmentConfig('prod', environments.dev));
      expect(error.message).toContain('stage is "dev"');
    });

    it('should accept a pinned Xero tenant and a rate in hours', () => {
      const config: EnvironmentConfig = validateEnvironmentConfig(
        'dev',
        devWith({ xeroTenantId: '2f7d1a0e-5b1c-4c3e-9d8e-0a1b2c3d4e5f', schedules: { tokenRefreshRate: '1 hour' } })
      );
      expect(config.xeroTenantId).toBe('2f7d1a0e-5b1c-4c3e-9d8e-0a1b2c3d4e5f');
      expect(config.schedules.tokenRefreshRate).toBe('1 hour');
    });

    it('should accept several pinned Xero tenants separated by commas, and refuse a list with a non-GUID', () => {
      const pins = '2f7d1a0e-5b1c-4c3e-9d8e-0a1b2c3d4e5f,8c4e2f17-3b9a-4d05-a6e8-1f2d3c4b5a69';
      expect(validateEnvironmentConfig('dev', devWith({ xeroTenantId: pins })).xeroTenantId).toBe(pins);
      const error = errorOf(() =>
        validateEnvironmentConfig('dev', devWith({ xeroTenantId: '2f7d1a0e-5b1c-4c3e-9d8e-0a1b2c3d4e5f,my-org' }))
      );
      expect(error.message).toContain('xeroTenantId');
    });

    it('should accept mapping settings exactly when the functions would at cold start', () => {
      const mapping = { ...DEFAULT_MAPPING_SETTINGS, roundingTolerance: '0.0001', salesAccountCode: 'A'.repeat(10) };
      const config = validateEnvironmentConfig('dev', devWith({ mapping }));

      expect(mappingSettingsFromJson(JSON.stringify(config.mapping))).toEqual(mapping);
    });

    it('should refuse routing settings at synth with the setting named, through the schema the functions use', () => {
      const routing = { by: 'column', routes: {}, defaultTenantId: '2f7d1a0e-5b1c-4c3e-9d8e-0a1b2c3d4e5f' };
      const mapping = { ...DEFAULT_MAPPING_SETTINGS, routing } as unknown as EnvironmentConfig['mapping'];

      const error = errorOf(() => validateEnvironmentConfig('dev', devWith({ mapping })));

      expect(error.message).toContain('routing');
      expect(error.message).toContain('column');
    });

    it('should hand the Dataverse organisation, connector user and write-back columns to the functions that read them', () => {
      // Prepare
      const dev = devWith({
        dataverseOrganization: 'contoso',
        dataverseConnectorUserId: '2f7d1a0e-5b1c-4c3e-9d8e-0a1b2c3d4e5f',
        writebackColumns: { status: 'new_xerostatus' },
      });

      // Act
      const { stack } = buildApp({
        environments: { dev, prod: environments.prod },
        context: { stage: 'dev', 'aws:cdk:bundling-stacks': [] },
      });
      const template = Template.fromStack(stack);
      const env = (fn: IConstruct) =>
        (
          template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)].Properties
            .Environment as { Variables: Record<string, string> }
        ).Variables;

      // Assess
      expect(env(stack.ingress.dataverseWebhookFunction)).toMatchObject({
        DATAVERSE_ORGANIZATION: 'contoso',
        DATAVERSE_CONNECTOR_USER_ID: '2f7d1a0e-5b1c-4c3e-9d8e-0a1b2c3d4e5f',
      });
      const columns = writebackColumnsFromJson(env(stack.pipeline.writebackFunction).WRITEBACK_COLUMNS);
      expect(columns).toMatchObject({ status: 'new_xerostatus', invoiceNumber: 'd365x_xeroinvoicenumber' });
    });

    it('should stop building the app with the field name when a stage is misconfigured', () => {
      // Prepare
      const broken = { dev: devWith({ alarmEmails: ['ops@'] }), prod: environments.prod };

      // Act
      const build = () => buildApp({ environments: broken, context: { stage: 'dev' } });

      // Assess
      expect(build).toThrow(/alarmEmails\[0\] must be an e-mail address/);
    });
  });
});
