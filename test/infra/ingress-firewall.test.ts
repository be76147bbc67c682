import { Match } from 'aws-cdk-lib/assertions';
import { environments } from '../../lib/config/environments';
import { DEFAULT_INGRESS_PROTECTION, WAF_RULE_METRICS } from '../../lib/constructs/ingress-firewall';
import { API_4XX_RATE_THRESHOLD } from '../../lib/constructs/monitoring';
import { logicalIds, propertiesOf, synthStage } from './synth-helpers';

type Rule = { Name: string; Priority: number; Action: Record<string, unknown>; Statement: Record<string, unknown> };

describe('ingress protection (AWS WAF, alarms, tracing)', () => {
  const { template } = synthStage('prod');
  const acl = () => propertiesOf(template, logicalIds(template, 'AWS::WAFv2::WebACL')[0]!);
  const rule = (name: string) => (acl().Rules as Rule[]).find((r) => r.Name === name)!;

  it('should attach one regional web ACL to the API stage', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    expect(acl()).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    const stage = logicalIds(template, 'AWS::ApiGateway::Stage')[0]!;
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: stage }])]) }),
    });
  });

  it('should rate-limit per IP with a separate, higher limit for the webhook routes, answering 429', () => {
    const webhook = rule(WAF_RULE_METRICS.webhookRate);
    const others = rule(WAF_RULE_METRICS.perIpRate);
    for (const r of [webhook, others]) {
      expect(r.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'TooMany' } } });
    }
    expect(webhook.Statement).toMatchObject({
      RateBasedStatement: { AggregateKeyType: 'IP', Limit: DEFAULT_INGRESS_PROTECTION.webhookPerIpLimit },
    });
    expect(others.Statement).toMatchObject({
      RateBasedStatement: { AggregateKeyType: 'IP', Limit: DEFAULT_INGRESS_PROTECTION.perIpLimit },
    });
    expect(DEFAULT_INGRESS_PROTECTION.webhookPerIpLimit).toBeGreaterThan(DEFAULT_INGRESS_PROTECTION.perIpLimit);
    expect(JSON.stringify(webhook.Statement)).toContain('/webhooks/dataverse');
    expect(JSON.stringify(others.Statement)).toContain('NotStatement');
  });

  it('should block a Dataverse webhook that carries neither the key header nor ?code= before the throttle', () => {
    const guard = rule(WAF_RULE_METRICS.webhookWithoutKey);
    expect(guard.Action).toEqual({ Block: {} });
    expect(guard.Priority).toBeLessThan(rule(WAF_RULE_METRICS.webhookRate).Priority);
    expect(JSON.stringify(guard.Statement)).toContain('x-connector-key');
  });

  it('should keep sampled requests off, since they would record ?code= keys', () => {
    const configs = [
      acl().VisibilityConfig,
      ...(acl().Rules as { VisibilityConfig: unknown }[]).map((r) => r.VisibilityConfig),
    ];
    for (const config of configs) expect(config).toMatchObject({ SampledRequestsEnabled: false });
  });

  it('should block sources outside the allow-list when the stage config has one', () => {
    const withList = synthStage('dev', {
      environments: {
        ...environments,
        dev: { ...environments.dev, ingressProtection: { allowedSourceCidrs: ['203.0.113.0/24', '2001:db8::/32'] } },
      },
    }).template;
    withList.resourceCountIs('AWS::WAFv2::IPSet', 2);
    withList.hasResourceProperties('AWS::WAFv2::IPSet', { Addresses: ['203.0.113.0/24'], IPAddressVersion: 'IPV4' });
    const rules = propertiesOf(withList, logicalIds(withList, 'AWS::WAFv2::WebACL')[0]!).Rules as Rule[];
    expect(rules.find((r) => r.Name === WAF_RULE_METRICS.allowList)).toMatchObject({
      Priority: 0,
      Action: { Block: {} },
      Statement: { NotStatement: { Statement: { OrStatement: {} } } },
    });
    template.resourceCountIs('AWS::WAFv2::IPSet', 0);
  });

  it('should refuse a malformed allow-list entry at synth', () => {
    expect(() =>
      synthStage('dev', {
        environments: {
          ...environments,
          dev: { ...environments.dev, ingressProtection: { allowedSourceCidrs: ['10.0.0.1'] } },
        },
      })
    ).toThrow(/ingressProtection\.allowedSourceCidrs\[0\]/);
  });

  it('should alarm on the API 4XX rate and on WAF 429s', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: API_4XX_RATE_THRESHOLD,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests >= 20, errors / requests, 0)' }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: '4XXError' }) }) }),
      ]),
    });
    for (const ruleName of [WAF_RULE_METRICS.webhookRate, WAF_RULE_METRICS.perIpRate]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/WAFV2',
        MetricName: 'BlockedRequests',
        Dimensions: Match.arrayWith([{ Name: 'Rule', Value: ruleName }]),
        AlarmActions: Match.anyValue(),
      });
    }
  });

  it('should keep X-Ray off on the API stage (its segments record the URL) and not require ?code=', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: false });
    const methods = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } });
    for (const method of Object.values(methods)) {
      expect(JSON.stringify(method)).not.toContain('method.request.querystring.code');
    }
  });
});
