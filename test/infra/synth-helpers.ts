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
  const { stack } = buildApp({ nag: false, ...options, context: { ...SKIP_BUNDLING, stage } });
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
