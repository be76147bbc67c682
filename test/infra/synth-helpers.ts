import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type BuildAppOptions } from '../../lib/app';
import type { Stage } from '../../lib/config/types';
import type { ConnectorStack } from '../../lib/stacks/connector-stack';

/** Context that skips esbuild bundling (assets become placeholders), so infra tests stay fast and offline. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export interface SynthesizedStage {
  readonly stack: ConnectorStack;
  readonly template: Template;
}

/** Build one stage without cdk-nag (checked separately in nag.test.ts) and capture its template. */
export function synthStage(stage: Stage, options: Omit<BuildAppOptions, 'context'> = {}): SynthesizedStage {
  const { stack } = buildApp({ ...options, context: { ...SKIP_BUNDLING, stage } });
  return { stack, template: Template.fromStack(stack) };
}

/** Logical ids of the resources of one type whose properties match `predicate`. */
export function logicalIds(
  template: Template,
  type: string,
  predicate: (properties: Record<string, unknown>) => boolean = () => true
): string[] {
  return Object.entries(template.findResources(type))
    .filter(([, resource]) => predicate((resource as { Properties?: Record<string, unknown> }).Properties ?? {}))
    .map(([id]) => id);
}

/** Logical id of a construct's CloudFormation resource (its default child). */
export function logicalIdOf(stack: ConnectorStack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Properties of one resource by logical id. */
export function propertiesOf(template: Template, logicalId: string): Record<string, unknown> {
  const resource = template.toJSON().Resources[logicalId] as { Properties?: Record<string, unknown> } | undefined;
  if (!resource) throw new Error(`no resource ${logicalId}`);
  return resource.Properties ?? {};
}
