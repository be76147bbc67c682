import { Aws } from 'aws-cdk-lib';
import { CfnIPSet, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { IngressProtection } from '../config/types';

/** Requests per IP per 5 minutes (WAF's rate window) when the stage config does not say otherwise. */
export const DEFAULT_INGRESS_PROTECTION: Required<Omit<IngressProtection, 'allowedSourceCidrs'>> = {
  // People and scripts on the consent, status and health routes: about one request a second, sustained.
  perIpLimit: 300,
  // Dataverse delivers from a few Azure addresses at bulk-edit speed; Xero batches its events. ~20 rps per IP.
  webhookPerIpLimit: 6000,
};

/** CloudWatch metric names (AWS/WAFV2 `Rule` dimension) of the rules, for alarms. */
export const WAF_RULE_METRICS = {
  allowList: 'NotAllowListed',
  webhookWithoutKey: 'WebhookWithoutKey',
  webhookRate: 'WebhookRatePerIp',
  perIpRate: 'RatePerIp',
} as const;

export interface IngressFirewallProps {
  readonly stage: string;
  /** ARN of the API Gateway stage the web ACL protects. */
  readonly stageArn: string;
  readonly protection?: IngressProtection;
}

const WEBHOOK_PATH_SUFFIXES = ['/webhooks/dataverse', '/webhooks/xero'];

/**
 * AWS WAF in front of the API stage, so a flood is turned away before it spends the stage's throttle: Dataverse
 * retries a failed delivery only after 502/503/504, never after a 429
 * (https://learn.microsoft.com/power-apps/developer/data-platform/use-webhooks). Rules, in order:
 *   0. (optional) anything from outside the stage's allow-listed source ranges is blocked;
 *   1. a Dataverse webhook with neither the `x-connector-key` header nor a `code` query argument is blocked (it can
 *      never authenticate, so it should not cost a throttle token or an invocation);
 *   2. webhook routes: a generous per-IP rate limit (the sender is a handful of Dataverse/Xero addresses);
 *   3. every other route: a tight per-IP rate limit.
 * Rate-limited requests get 429. Sampled requests are off: WAF samples record the query string, and old Dataverse
 * registrations carry their key as `?code=`.
 */
export class IngressFirewall extends Construct {
  readonly webAcl: CfnWebACL;
  readonly webAclName: string;

  constructor(scope: Construct, id: string, props: IngressFirewallProps) {
    super(scope, id);
    const protection = { ...DEFAULT_INGRESS_PROTECTION, ...props.protection };
    this.webAclName = `d365-xero-${props.stage}-ingress`;
    const rules: CfnWebACL.RuleProperty[] = [];

    const cidrs = protection.allowedSourceCidrs ?? [];
    if (cidrs.length > 0) {
      const v4 = cidrs.filter((c) => !c.includes(':'));
      const v6 = cidrs.filter((c) => c.includes(':'));
      const sets = [
        ...(v4.length
          ? [new CfnIPSet(this, 'AllowedV4', { scope: 'REGIONAL', ipAddressVersion: 'IPV4', addresses: v4 })]
          : []),
        ...(v6.length
          ? [new CfnIPSet(this, 'AllowedV6', { scope: 'REGIONAL', ipAddressVersion: 'IPV6', addresses: v6 })]
          : []),
      ];
      const inAllowList: CfnWebACL.StatementProperty[] = sets.map((set) => ({
        ipSetReferenceStatement: { arn: set.attrArn },
      }));
      rules.push({
        name: WAF_RULE_METRICS.allowList,
        priority: 0,
        action: { block: {} },
        statement: {
          notStatement: {
            statement: inAllowList.length === 1 ? inAllowList[0]! : { orStatement: { statements: inAllowList } },
          },
        },
        visibilityConfig: visibility(WAF_RULE_METRICS.allowList),
      });
    }

    rules.push({
      name: WAF_RULE_METRICS.webhookWithoutKey,
      priority: 1,
      action: { block: {} },
      statement: {
        andStatement: {
          statements: [
            pathEndsWith('/webhooks/dataverse'),
            { notStatement: { statement: present({ singleHeader: { Name: 'x-connector-key' } }) } },
            { notStatement: { statement: present({ singleQueryArgument: { Name: 'code' } }) } },
          ],
        },
      },
      visibilityConfig: visibility(WAF_RULE_METRICS.webhookWithoutKey),
    });
    const webhookPaths: CfnWebACL.StatementProperty = {
      orStatement: { statements: WEBHOOK_PATH_SUFFIXES.map(pathEndsWith) },
    };
    rules.push(
      rateRule(WAF_RULE_METRICS.webhookRate, 2, protection.webhookPerIpLimit, webhookPaths),
      rateRule(WAF_RULE_METRICS.perIpRate, 3, protection.perIpLimit, { notStatement: { statement: webhookPaths } })
    );

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: this.webAclName,
      description: 'Per-IP rate limits and webhook key pre-check for the D365-Xero connector API',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      customResponseBodies: {
        TooMany: { contentType: 'APPLICATION_JSON', content: '{"error":"too_many_requests"}' },
      },
      rules,
      visibilityConfig: visibility(this.webAclName),
    });
    new CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }

  /** Region of the web ACL's metrics (the AWS/WAFV2 `Region` dimension). */
  get region(): string {
    return Aws.REGION;
  }
}

function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: false };
}

function pathEndsWith(suffix: string): CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: 'ENDS_WITH',
      searchString: suffix,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

function present(fieldToMatch: CfnWebACL.FieldToMatchProperty): CfnWebACL.StatementProperty {
  return {
    sizeConstraintStatement: {
      fieldToMatch,
      comparisonOperator: 'GT',
      size: 0,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

function rateRule(
  name: string,
  priority: number,
  limit: number,
  scopeDown: CfnWebACL.StatementProperty
): CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'TooMany' } } },
    statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit, scopeDownStatement: scopeDown } },
    visibilityConfig: visibility(name),
  };
}
