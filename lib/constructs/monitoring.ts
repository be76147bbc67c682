import { Aws, Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlarmThresholds, Stage } from '../config/types';
import { SERVICE_NAME, metricsNamespace } from './connector-function';
import { WAF_RULE_METRICS, type IngressFirewall } from './ingress-firewall';

/** Share of API requests answered 4XX (API Gateway throttling's 429 included) that pages someone. */
export const API_4XX_RATE_THRESHOLD = 0.25;
/** Requests a WAF rate rule may turn away in 5 minutes before it pages someone. */
export const WAF_RATE_LIMITED_THRESHOLD = 100;

/** CloudWatch's limit on an alarm description (AWS::CloudWatch::Alarm AlarmDescription). */
export const ALARM_DESCRIPTION_MAX = 1024;

/**
 * An alarm description an operator can act on from the notification e-mail: what happened, then the command to
 * run, one per line (SNS e-mails print the description as plain text, line breaks kept).
 */
export function alarmText(...lines: string[]): string {
  return lines.join('\n');
}

/** Custom metric names the handlers emit through Powertools (EMF), with the default `service` dimension only. */
export const CONNECTOR_METRICS = {
  syncSucceeded: 'SyncSucceeded',
  syncFailed: 'SyncFailed',
  tokenRefreshFailed: 'TokenRefreshFailed',
  refreshTokenAgeHours: 'RefreshTokenAgeHours',
  xeroDayLimitRemaining: 'XeroDayLimitRemaining',
  reconnectRequired: 'ReconnectRequired',
  reconciliationDrift: 'ReconciliationDrift',
  sweepMissedChanges: 'SweepMissedChanges',
  preflightProblems: 'PreflightProblems',
} as const;

export interface MonitoringProps {
  readonly stage: Stage;
  /** Key that encrypts the alarm topic; CloudWatch is allowed to use it for publishing. */
  readonly key: IKey;
  readonly alarmEmails: readonly string[];
  readonly thresholds: AlarmThresholds;
  readonly api: RestApi;
  /** The API's web ACL: its rate rules' blocked requests (429s) raise an alarm. */
  readonly firewall?: IngressFirewall;
  /** Functions by display name: each gets error and throttle alarms. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Working queues by display name, graphed on the dashboard. */
  readonly queues: Readonly<Record<string, IQueue>>;
  /** Dead-letter queues by display name: any visible message raises an alarm. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /**
   * Dead-letter queues of EventBridge schedules (no source queue to redrive to): they alarm too, with advice to
   * check the target function instead of a redrive command.
   */
  readonly scheduleDeadLetterQueues?: Readonly<Record<string, IQueue>>;
}

/**
 * Alarms on everything that needs a person (failed syncs, parked messages, a dying Xero connection, an exhausted day
 * budget, function errors, API 5xx), all sent to one encrypted, TLS-only SNS topic with the stage's e-mail
 * subscribers, plus a dashboard that shows the flow from webhook to Xero at a glance.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  private readonly namespace: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.namespace = metricsNamespace(props.stage);

    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `D365 → Xero connector alarms (${props.stage})`,
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic; it needs to use the key for that.
    props.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      })
    );
    for (const email of props.alarmEmails) this.topic.addSubscription(new EmailSubscription(email));

    const t = props.thresholds;
    this.alarmOn('SyncFailed', this.custom(CONNECTOR_METRICS.syncFailed, 'Sum'), {
      threshold: 1,
      description: alarmText(
        'A record failed to sync to Xero permanently.',
        'Read why, by record name:',
        `- the status page: npx connector login-link --stage ${props.stage}, then open the link it prints`,
        '- the Dataverse integration log (the connector log table in Dynamics 365, one row per attempt)',
        'Fix the record or the mapping settings, then press Retry on the status page.'
      ),
    });
    this.alarmOn('TokenRefreshFailed', this.custom(CONNECTOR_METRICS.tokenRefreshFailed, 'Sum'), {
      threshold: 1,
      description: 'Refreshing the Xero access token failed.',
    });
    this.alarmOn('RefreshTokenAge', this.custom(CONNECTOR_METRICS.refreshTokenAgeHours, 'Maximum'), {
      threshold: t.refreshTokenAgeHours,
      operator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `The Xero refresh token has not rotated for over ${t.refreshTokenAgeHours} h (it dies at 60 days).`,
    });
    this.alarmOn('XeroDayBudgetLow', this.custom(CONNECTOR_METRICS.xeroDayLimitRemaining, 'Minimum'), {
      threshold: t.xeroDayLimitRemaining,
      operator: ComparisonOperator.LESS_THAN_THRESHOLD,
      description: `Fewer than ${t.xeroDayLimitRemaining} Xero API calls remain in today's budget.`,
    });
    this.alarmOn('ReconnectRequired', this.custom(CONNECTOR_METRICS.reconnectRequired, 'Maximum'), {
      threshold: 1,
      description: alarmText(
        'Xero consent was revoked or expired: syncing to Xero is paused and no work is lost.',
        'Print a single-use consent link and open it in a browser to reconnect:',
        `  npx connector connect-link --stage ${props.stage}`,
        `Or sign in to the status page (npx connector login-link --stage ${props.stage}) and press Reconnect.`
      ),
    });
    this.alarmOn(
      'ReconciliationDrift',
      this.custom(CONNECTOR_METRICS.reconciliationDrift, 'Maximum', Duration.days(1)),
      {
        threshold: 1,
        description:
          'Nightly reconciliation found synced records that differ from Xero (see the reconcile function logs).',
      }
    );
    // One sweep every 5 minutes: three periods in a row with missed changes means webhooks keep getting lost.
    this.alarmOn('SweepMissedChanges', this.custom(CONNECTOR_METRICS.sweepMissedChanges, 'Sum'), {
      threshold: 1,
      evaluationPeriods: 3,
      description:
        'The catch-up sweep keeps finding Dataverse changes no webhook delivered (they were synced by the sweep): ' +
        'check the webhook registration, the API throttling and the ingest function.',
    });
    this.alarmOn('PreflightProblems', this.custom(CONNECTOR_METRICS.preflightProblems, 'Maximum', Duration.hours(1)), {
      threshold: 1,
      description:
        'Mapping settings name accounts or tax types the Xero organisation cannot use (see `connector status`).',
    });
    this.alarmOn('Api5xx', props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }), {
      threshold: 1,
      description: 'The API returned 5xx responses.',
    });
    this.ingressAlarms(props);
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarmOn(`${name}NotEmpty`, queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }), {
        threshold: 1,
        description: alarmText(
          `Messages are parked in the ${name} dead-letter queue: that work stopped after repeated failures.`,
          `See which records and why on the status page (npx connector login-link --stage ${props.stage}).`,
          'Once the cause is fixed, move them back to be tried again (Retry all on the page does the same):',
          `  npx connector redrive --aws ${queue.queueArn}`
        ),
      });
    }
    for (const [name, queue] of Object.entries(props.scheduleDeadLetterQueues ?? {})) {
      this.alarmOn(`${name}NotEmpty`, queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }), {
        threshold: 1,
        description: alarmText(
          `A scheduled run could not be delivered to its function (${name}).`,
          "Check the token function's errors and throttles on the dashboard; the next scheduled run tries again.",
          `The connection's state is on the status page (npx connector login-link --stage ${props.stage}).`,
          'The parked messages are only a record of the missed runs: purge them once understood.'
        ),
      });
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarmOn(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5) }), {
        threshold: 1,
        description: `${name} invocations failed.`,
      });
      // Some throttling is expected where concurrency is capped on purpose; sustained throttling is not.
      this.alarmOn(`${name}Throttles`, fn.metricThrottles({ period: Duration.minutes(5) }), {
        threshold: 5,
        description: `${name} is being throttled.`,
      });
    }

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `D365Xero-${props.stage}` });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `# D365 → Xero (${props.stage})\nDataverse webhook → API → changes queue (FIFO) → map → ` +
          'Xero-writes queue → post → Xero. Parked messages wait in the DLQs; alarms go to the SNS topic.',
        width: 24,
        height: 2,
      })
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [props.api.metricCount(), props.api.metricClientError(), props.api.metricServerError()],
        width: 8,
      }),
      new GraphWidget({
        title: 'Queue depth (visible)',
        left: Object.values(props.queues).map((q) => q.metricApproximateNumberOfMessagesVisible()),
        right: Object.values(props.queues).map((q) => q.metricApproximateAgeOfOldestMessage()),
        width: 8,
      }),
      new GraphWidget({
        title: 'Dead-letter queues',
        left: [...Object.values(props.deadLetterQueues), ...Object.values(props.scheduleDeadLetterQueues ?? {})].map(
          (q) => q.metricApproximateNumberOfMessagesVisible()
        ),
        width: 8,
      })
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Records synced / failed',
        left: [this.custom(CONNECTOR_METRICS.syncSucceeded, 'Sum'), this.custom(CONNECTOR_METRICS.syncFailed, 'Sum')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Xero connection',
        left: [this.custom(CONNECTOR_METRICS.xeroDayLimitRemaining, 'Minimum')],
        right: [this.custom(CONNECTOR_METRICS.refreshTokenAgeHours, 'Maximum')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Function errors',
        left: Object.values(props.functions).map((fn) => fn.metricErrors()),
        width: 8,
      })
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }

  /**
   * A flood shows up as 4XX (bad keys, API Gateway's own 429) and as WAF rate-limit blocks (our 429s). Dataverse does
   * not retry a 429, so either one may mean real webhooks are being lost: run the catch-up sweep after a spike.
   */
  private ingressAlarms(props: MonitoringProps): void {
    const period = Duration.minutes(5);
    const rate = new MathExpression({
      // Below 20 requests in 5 minutes a few mistyped links are not a flood.
      expression: 'IF(requests >= 20, errors / requests, 0)',
      usingMetrics: {
        requests: props.api.metricCount({ period, statistic: 'Sum' }),
        errors: props.api.metricClientError({ period, statistic: 'Sum' }),
      },
      label: 'API 4XX rate',
      period,
    });
    this.alarmOn('Api4xxRate', rate, {
      threshold: API_4XX_RATE_THRESHOLD,
      description:
        `Over ${API_4XX_RATE_THRESHOLD * 100}% of API requests were refused (4XX, including throttling 429s): ` +
        'a flood or a wrong webhook key. Dataverse does not retry these; run the catch-up sweep afterwards.',
    });
    if (!props.firewall) return;
    for (const rule of [WAF_RULE_METRICS.webhookRate, WAF_RULE_METRICS.perIpRate]) {
      const blocked = new Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { WebACL: props.firewall.webAclName, Region: Aws.REGION, Rule: rule },
        statistic: 'Sum',
        period,
      });
      this.alarmOn(`Waf${rule}Limited`, blocked, {
        threshold: WAF_RATE_LIMITED_THRESHOLD,
        description: `AWS WAF answered 429 to at least ${WAF_RATE_LIMITED_THRESHOLD} requests in 5 minutes (${rule}).`,
      });
    }
  }

  /** Console link for the stack output. */
  get dashboardUrl(): string {
    return `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${this.dashboard.dashboardName}`;
  }

  private custom(metricName: string, statistic: string, period: Duration = Duration.minutes(5)): Metric {
    return new Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: { service: SERVICE_NAME },
      statistic,
      period,
    });
  }

  private alarmOn(
    id: string,
    metric: IMetric,
    opts: { threshold: number; description: string; operator?: ComparisonOperator; evaluationPeriods?: number }
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: opts.threshold,
      comparisonOperator: opts.operator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: opts.evaluationPeriods ?? 1,
      datapointsToAlarm: opts.evaluationPeriods ?? 1,
      alarmDescription: opts.description,
      // No data means nothing happened (no traffic, no failure); budgets and token age are reported when used.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
