import { Match, type Template } from 'aws-cdk-lib/assertions';
import { environments } from '../../lib/config/environments';
import type { Stage } from '../../lib/config/types';
import { ACCESS_LOG_FIELDS, INGRESS_ROUTES } from '../../lib/constructs/ingress-api';
import type { ConnectorStack } from '../../lib/stacks/connector-stack';
import { logicalIdOf, logicalIds, propertiesOf, synthStage } from './synth-helpers';

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

// One synth per stage, shared by every test in this file.
const stages = {} as Record<Stage, { stack: ConnectorStack; template: Template }>;
beforeAll(() => {
  for (const stage of ['dev', 'prod'] as const) stages[stage] = synthStage(stage);
});

function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

describe.each(['dev', 'prod'] as const)('ConnectorStack (%s)', (stage) => {
  const config = environments[stage];
  const get = () => stages[stage];

  describe('queues', () => {
    it('should encrypt every queue and deny requests without TLS', () => {
      const { template } = get();
      const queues = logicalIds(template, 'AWS::SQS::Queue');
      const tlsOnly = new Set(
        resourcesOf(template, 'AWS::SQS::QueuePolicy')
          .filter(([, policy]) =>
            JSON.stringify(policy.Properties).includes('"Condition":{"Bool":{"aws:SecureTransport":"false"}}')
          )
          .flatMap(([, policy]) => (policy.Properties!.Queues as { Ref: string }[]).map((q) => q.Ref))
      );

      expect(queues).toHaveLength(7); // changes, writes, Xero events, each with a DLQ, and the schedule DLQ
      for (const id of queues) {
        expect(propertiesOf(template, id).SqsManagedSseEnabled).toBe(true);
        expect(tlsOnly).toContain(id);
      }
    });

    it('should give the changes and Xero-writes queues a dead-letter queue', () => {
      const { stack, template } = get();
      const { changes, writes } = stack.pipeline;
      for (const pair of [changes, writes]) {
        expect(propertiesOf(template, logicalIdOf(stack, pair.queue)).RedrivePolicy).toEqual({
          deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(stack, pair.deadLetterQueue), 'Arn'] },
          maxReceiveCount: 5,
        });
      }
    });

    it('should make the changes queue and its DLQ FIFO without content-based deduplication', () => {
      const { stack, template } = get();
      const fifo = logicalIds(template, 'AWS::SQS::Queue', (p) => p.FifoQueue === true);
      expect(fifo.sort()).toEqual(
        [
          logicalIdOf(stack, stack.pipeline.changes.queue),
          logicalIdOf(stack, stack.pipeline.changes.deadLetterQueue),
        ].sort()
      );
      for (const id of fifo) expect(propertiesOf(template, id).ContentBasedDeduplication).toBe(false);
    });

    it('should report partial batch failures from both SQS consumers', () => {
      const { template } = get();
      const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(3);
      for (const [, mapping] of mappings) {
        expect(mapping.Properties!.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      }
    });
  });

  describe('functions', () => {
    it('should run every function on Node.js 22, ARM64, with tracing, source maps and Powertools settings', () => {
      const { template } = get();
      const functions = resourcesOf(template, 'AWS::Lambda::Function');
      expect(functions).toHaveLength(10);
      for (const [, fn] of functions) {
        const p = fn.Properties!;
        expect(p).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
        expect(p.Environment).toMatchObject({
          Variables: {
            STAGE: stage,
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_METRICS_NAMESPACE: `D365Xero/${stage}`,
            POWERTOOLS_SERVICE_NAME: expect.any(String),
          },
        });
      }
    });

    it('should give the stage values only to the functions that read them', () => {
      const { stack, template } = get();
      const env = (fn: Parameters<typeof logicalIdOf>[1]) =>
        (propertiesOf(template, logicalIdOf(stack, fn)).Environment as { Variables: Record<string, unknown> })
          .Variables;
      expect(env(stack.pipeline.mapFunction)).toMatchObject({
        DATAVERSE_URL: config.dataverseUrl,
        MAPPING_SETTINGS: JSON.stringify(config.mapping),
      });
      expect(env(stack.ingress.xeroWebhookFunction)).not.toHaveProperty('DATAVERSE_URL');
      expect(env(stack.ingress.xeroWebhookFunction)).not.toHaveProperty('MAPPING_SETTINGS');
    });

    it('should cap the post function at 4 and the token function at 1 concurrent execution', () => {
      const { stack, template } = get();
      const post = propertiesOf(template, logicalIdOf(stack, stack.pipeline.postFunction));
      const token = propertiesOf(template, logicalIdOf(stack, stack.credentials.tokenFunction));
      expect(post.ReservedConcurrentExecutions).toBe(config.postConcurrency);
      expect(config.postConcurrency).toBeLessThanOrEqual(4);
      expect(token.ReservedConcurrentExecutions).toBe(1);
    });

    it('should give each worker the queue, table and token environment it uses', () => {
      const { stack, template } = get();
      const env = (fn: Parameters<typeof logicalIdOf>[1]) =>
        (propertiesOf(template, logicalIdOf(stack, fn)).Environment as { Variables: Record<string, unknown> })
          .Variables;
      expect(Object.keys(env(stack.pipeline.mapFunction))).toEqual(
        expect.arrayContaining(['WRITES_QUEUE_URL', 'SYNC_STATE_TABLE'])
      );
      expect(Object.keys(env(stack.pipeline.postFunction))).toEqual(
        expect.arrayContaining(['SYNC_STATE_TABLE', 'TOKEN_FUNCTION_NAME'])
      );
      // Workers reach the token through the token function, never by reading the token secret.
      expect(Object.keys(env(stack.pipeline.postFunction))).not.toContain('XERO_TOKEN_SECRET_ARN');
      expect(Object.keys(env(stack.ingress.dataverseWebhookFunction))).toContain('CHANGES_QUEUE_URL');
      expect(JSON.stringify(env(stack.ingress.oauthFunction).XERO_REDIRECT_URI)).toContain(
        `/${stage}/oauth/xero/callback`
      );
      expect(JSON.stringify(env(stack.credentials.tokenFunction).XERO_REDIRECT_URI)).toContain('/oauth/xero/callback');
    });

    it(`should keep function logs for ${config.logRetentionDays} days`, () => {
      const { template } = get();
      const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
      expect(groups).toHaveLength(11); // ten functions + API access log
      for (const [, group] of groups) {
        expect(group.Properties!.RetentionInDays).toBe(config.logRetentionDays);
        expect(group.DeletionPolicy).toBe(config.retainData ? 'Retain' : 'Delete');
      }
    });
  });

  describe('least privilege', () => {
    const statements = (template: Template): Statement[] =>
      [...resourcesOf(template, 'AWS::IAM::Policy'), ...resourcesOf(template, 'AWS::IAM::ManagedPolicy')].flatMap(
        ([, policy]) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement
      );

    it('should use the * resource only for X-Ray actions, which have no resource-level permissions', () => {
      const wildcard = statements(get().template).filter((s) => asArray(s.Resource).includes('*'));
      expect(wildcard.length).toBeGreaterThan(0);
      for (const s of wildcard) {
        for (const action of asArray(s.Action)) expect(action).toMatch(/^xray:/);
      }
    });

    it('should let only the token function write the token secret', () => {
      const { stack, template } = get();
      const tokenSecret = logicalIdOf(stack, stack.credentials.tokenSecret);
      const writers = resourcesOf(template, 'AWS::IAM::Policy').filter(([, policy]) =>
        (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.some(
          (s) =>
            asArray(s.Action).includes('secretsmanager:PutSecretValue') &&
            JSON.stringify(s.Resource).includes(tokenSecret)
        )
      );
      const tokenRole = logicalIdOf(stack, stack.credentials.tokenFunction.role!);
      expect(writers.map(([, p]) => p.Properties!.Roles)).toEqual([[{ Ref: tokenRole }]]);
    });

    it("should let each caller invoke the token function only through its role's alias", () => {
      const { stack, template } = get();
      const { tokenAliases } = stack.credentials;
      const callers = [
        [stack.pipeline.postFunction, tokenAliases.worker],
        [stack.pipeline.writebackFunction, tokenAliases.worker],
        [stack.pipeline.reconcileFunction, tokenAliases.worker],
        [stack.ingress.oauthFunction, tokenAliases.consent],
      ] as const;
      for (const [fn, alias] of callers) {
        const role = logicalIdOf(stack, fn.role!);
        const [policy] = resourcesOf(template, 'AWS::IAM::Policy').filter(([, p]) =>
          JSON.stringify(p.Properties!.Roles).includes(role)
        );
        const invoke = (policy![1].Properties!.PolicyDocument as { Statement: Statement[] }).Statement.filter((s) =>
          asArray(s.Action).includes('lambda:InvokeFunction')
        );
        expect(invoke.map((s) => s.Resource)).toEqual([{ Ref: logicalIdOf(stack, alias) }]);
      }
      // Nobody may invoke the unqualified function (no role to check there).
      const tokenFn = logicalIdOf(stack, stack.credentials.tokenFunction);
      for (const s of statements(template).filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'))) {
        expect(JSON.stringify(s.Resource)).not.toContain(tokenFn);
      }
    });

    it('should offer operators a policy to read and redrive exactly the dead-letter queues', () => {
      const { stack, template } = get();
      const [[, policy]] = resourcesOf(template, 'AWS::IAM::ManagedPolicy') as [[string, Resource]];
      const [read] = (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
      const dlqs = [
        stack.pipeline.changes.deadLetterQueue,
        stack.pipeline.writes.deadLetterQueue,
        stack.pipeline.xeroEvents.deadLetterQueue,
        stack.credentials.scheduleDeadLetterQueue,
      ].map((q) => ({ 'Fn::GetAtt': [logicalIdOf(stack, q), 'Arn'] }));
      expect(read!.Resource).toEqual(dlqs);
      expect(read!.Action).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:StartMessageMoveTask']));
    });

    it('should not let the webhook functions touch the token secret or the table', () => {
      const { stack, template } = get();
      const table = logicalIdOf(stack, stack.pipeline.table);
      const forbidden = [logicalIdOf(stack, stack.credentials.tokenSecret), table];
      const statementsOf = (fn: typeof stack.ingress.xeroWebhookFunction): Statement[] => {
        const role = logicalIdOf(stack, fn.role!);
        return resourcesOf(template, 'AWS::IAM::Policy')
          .filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(role))
          .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
      };
      for (const id of forbidden)
        expect(JSON.stringify(statementsOf(stack.ingress.xeroWebhookFunction))).not.toContain(id);
      // The Dataverse webhook notes delivered changes for the catch-up sweep: UpdateItem on `seen#…` items only.
      const dataverse = statementsOf(stack.ingress.dataverseWebhookFunction);
      const onTable = dataverse.filter((statement) => JSON.stringify(statement).includes(table));
      expect(onTable).toEqual([
        expect.objectContaining({
          Action: 'dynamodb:UpdateItem',
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['seen#*'] } },
        }),
      ]);
      expect(JSON.stringify(dataverse)).not.toContain(forbidden[0]);
    });
  });

  describe('token refresh schedule', () => {
    it('should invoke the token function at the stage rate with retries and a dead-letter queue', () => {
      const { stack, template } = get();
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: `rate(${config.schedules.tokenRefreshRate})`,
        Target: {
          Arn: { Ref: logicalIdOf(stack, stack.credentials.tokenAliases.schedule) },
          RetryPolicy: { MaximumRetryAttempts: 3 },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.credentials.scheduleDeadLetterQueue), 'Arn'] },
          },
        },
      });
    });
  });

  describe('API', () => {
    it('should expose every route through a Lambda proxy integration', () => {
      const { template } = get();
      const methods = resourcesOf(template, 'AWS::ApiGateway::Method');
      expect(methods.map(([, m]) => m.Properties!.HttpMethod).sort()).toEqual(
        INGRESS_ROUTES.map((r) => r.method).sort()
      );
      for (const [, m] of methods) expect(m.Properties!.Integration).toMatchObject({ Type: 'AWS_PROXY' });
      const parts = resourcesOf(template, 'AWS::ApiGateway::Resource').map(([, r]) => r.Properties!.PathPart);
      expect(parts.sort()).toEqual(
        [
          ...['oauth', 'xero', 'connect', 'callback', 'choose', 'webhooks', 'dataverse', 'xero', 'health', 'status'],
          ...['login', 'admin', 'login-link', 'retry', 'retry-all'],
        ].sort()
      );
    });

    it('should write access logs without paths, query strings or parameters and never trace bodies', () => {
      const { template } = get();
      const [[, apiStage]] = resourcesOf(template, 'AWS::ApiGateway::Stage') as [[string, Resource]];
      const format = (apiStage.Properties!.AccessLogSetting as { Format: string }).Format;
      expect(JSON.parse(format)).toEqual(ACCESS_LOG_FIELDS);
      expect(format).toContain('$context.resourcePath');
      expect(format).not.toMatch(/\$context\.path|querystring|requestOverride|\$input|\$method\.request/i);
      expect(apiStage.Properties).toMatchObject({
        StageName: stage,
        MethodSettings: [
          expect.objectContaining({
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
            ThrottlingRateLimit: config.apiThrottle.rateLimit,
            ThrottlingBurstLimit: config.apiThrottle.burstLimit,
          }),
        ],
      });
    });

    it('should require the Xero signature before invoking a function (the Dataverse key is checked by WAF)', () => {
      const { template } = get();
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'POST',
        RequestParameters: { 'method.request.header.x-xero-signature': true },
      });
    });
  });

  describe('monitoring', () => {
    it('should send every alarm to the alarm topic', () => {
      const { stack, template } = get();
      const topic = logicalIdOf(stack, stack.monitoring.topic);
      const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
      // 6 custom/API alarms + 3 DLQs + errors and throttles for 6 functions
      // custom metrics + one per DLQ + errors and throttles per function + ingress (4XX rate, two WAF rate rules)
      expect(alarms).toHaveLength(9 + 4 + 18 + 3);
      for (const [, alarm] of alarms) expect(alarm.Properties!.AlarmActions).toEqual([{ Ref: topic }]);
    });

    it.each([
      ['SyncFailed', 'GreaterThanOrEqualToThreshold', 1],
      ['TokenRefreshFailed', 'GreaterThanOrEqualToThreshold', 1],
      ['RefreshTokenAgeHours', 'GreaterThanThreshold', 24 * 14],
      ['XeroDayLimitRemaining', 'LessThanThreshold', 500],
      ['ReconnectRequired', 'GreaterThanOrEqualToThreshold', 1],
    ])('should alarm on the %s metric in the stage namespace', (metricName, operator, threshold) => {
      get().template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: `D365Xero/${stage}`,
        MetricName: metricName,
        ComparisonOperator: operator,
        Threshold: threshold,
      });
    });

    it('should alarm as soon as any dead-letter queue holds a message', () => {
      const { stack, template } = get();
      const dlqs = [
        stack.pipeline.changes.deadLetterQueue,
        stack.pipeline.writes.deadLetterQueue,
        stack.pipeline.xeroEvents.deadLetterQueue,
        stack.credentials.scheduleDeadLetterQueue,
      ];
      for (const dlq of dlqs) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack, dlq), 'QueueName'] } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
    });

    it('should subscribe each configured e-mail address to an encrypted, TLS-only topic', () => {
      const { template } = get();
      const emails = resourcesOf(template, 'AWS::SNS::Subscription').map(([, s]) => s.Properties);
      expect(emails).toEqual(
        config.alarmEmails.map((email) => expect.objectContaining({ Protocol: 'email', Endpoint: email }))
      );
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('should publish the operator URLs as stack outputs', () => {
      const outputs = Object.keys(get().template.toJSON().Outputs);
      expect(outputs).toEqual(
        expect.arrayContaining([
          'CallbackUrl',
          'ConnectUrl',
          'DataverseWebhookUrl',
          'XeroWebhookUrl',
          'StatusUrl',
          'DashboardUrl',
          'OperationsFunctionName',
        ])
      );
    });
  });

  describe('data protection', () => {
    it(`should ${config.retainData ? 'retain' : 'delete'} the secrets, table and key with the stack`, () => {
      const { template } = get();
      const expected = config.retainData ? 'Retain' : 'Delete';
      for (const type of ['AWS::SecretsManager::Secret', 'AWS::DynamoDB::Table', 'AWS::KMS::Key']) {
        const found = resourcesOf(template, type);
        expect(found.length).toBeGreaterThan(0);
        for (const [, resource] of found) expect(resource.DeletionPolicy).toBe(expected);
      }
    });

    it('should encrypt the secrets with the stack key and the table at rest', () => {
      const { template } = get();
      for (const [, secret] of resourcesOf(template, 'AWS::SecretsManager::Secret')) {
        expect(secret.Properties!.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      }
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: config.pointInTimeRecovery },
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });
  });
});

describe('ConnectorStack Xero tenant pin', () => {
  const variables = (template: Template) =>
    resourcesOf(template, 'AWS::Lambda::Function').map(
      ([, fn]) => (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables
    );

  it('should leave XERO_TENANT_ID unset when the stage pins no tenant', () => {
    for (const vars of variables(stages.dev.template)) expect(vars).not.toHaveProperty('XERO_TENANT_ID');
  });

  it('should give XERO_TENANT_ID to the consent, token and write-back functions when the stage pins one', () => {
    // Prepare
    const tenant = '6f1c2b3a-0d4e-4f5a-8b9c-0123456789ab';
    const pinned = { dev: { ...environments.dev, xeroTenantId: tenant }, prod: environments.prod };

    // Act
    const { stack, template } = synthStage('dev', { environments: pinned });

    // Assess
    const readers = [stack.ingress.oauthFunction, stack.credentials.tokenFunction, stack.pipeline.writebackFunction];
    for (const fn of readers) {
      const vars = (
        propertiesOf(template, logicalIdOf(stack, fn)).Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(vars.XERO_TENANT_ID).toBe(tenant);
    }
    expect(variables(template).filter((vars) => vars.XERO_TENANT_ID === tenant)).toHaveLength(readers.length);
  });
});

describe('ConnectorStack stage differences', () => {
  it('should keep logs longer and protect data in prod than in dev', () => {
    expect(environments.prod.logRetentionDays).toBeGreaterThan(environments.dev.logRetentionDays);
    const secretPolicy = (stage: Stage) =>
      resourcesOf(stages[stage].template, 'AWS::SecretsManager::Secret').map(([, s]) => s.DeletionPolicy);
    expect(secretPolicy('prod')).toEqual(Array(7).fill('Retain'));
    expect(secretPolicy('dev')).toEqual(Array(7).fill('Delete'));
    expect(stages.prod.stack.terminationProtection).toBe(true);
    expect(stages.dev.stack.terminationProtection).toBe(false);
  });
});
