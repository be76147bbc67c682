/**
 * Reads a synthesized CloudFormation template into what the AWS tier emulates, and resolves the intrinsic functions
 * CDK emits (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select) against the physical resources the harness created.
 * Nothing here knows the connector's resource names: everything is found by resource type.
 */
import { readFileSync } from 'node:fs';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

export function readTemplate(path: string): CfnTemplate {
  return JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate;
}

/** Logical ids and resources of one type, in template order. */
export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** What a resource resolves to: its Ref value and its attributes (Arn, QueueName, RootResourceId, …). */
export interface PhysicalResource {
  readonly ref: string;
  readonly attributes: Record<string, string>;
}

export interface ResolveContext {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  readonly physical: ReadonlyMap<string, PhysicalResource>;
}

const PSEUDO: Record<string, (ctx: ResolveContext) => string> = {
  'AWS::Region': (ctx) => ctx.region,
  'AWS::AccountId': (ctx) => ctx.accountId,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': (ctx) => ctx.stackName,
  'AWS::StackId': (ctx) => `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/emulated`,
};

export class UnresolvableError extends Error {
  readonly retryable = false;
}

/** Resolves a property value; throws UnresolvableError naming what the harness has not provisioned. */
export function resolveValue(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0]!;
    switch (fn) {
      case 'Ref':
        return refOf(String(arg), ctx);
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return attributeOf(String(id), String(attribute), ctx);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolveValue(parts, ctx) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number, unknown];
        return (resolveValue(list, ctx) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return String(resolveValue(source, ctx)).split(separator);
      }
      case 'Fn::Sub':
        return substitute(arg, ctx);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveValue(v, ctx)]));
}

export function resolveString(value: unknown, ctx: ResolveContext): string {
  const resolved = resolveValue(value, ctx);
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
  throw new UnresolvableError(`expected a string, got ${JSON.stringify(resolved)}`);
}

function refOf(id: string, ctx: ResolveContext): string {
  const pseudo = PSEUDO[id];
  if (pseudo) return pseudo(ctx);
  const resource = ctx.physical.get(id);
  if (!resource) throw new UnresolvableError(`Ref ${id}: the harness has not provisioned this resource`);
  return resource.ref;
}

function attributeOf(id: string, attribute: string, ctx: ResolveContext): string {
  const resource = ctx.physical.get(id);
  const value = resource?.attributes[attribute];
  if (value === undefined) throw new UnresolvableError(`Fn::GetAtt ${id}.${attribute}: not provisioned`);
  return value;
}

function substitute(arg: unknown, ctx: ResolveContext): string {
  const [text, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name in variables) return String(resolveValue(variables[name], ctx));
    return name.includes('.')
      ? attributeOf(name.split('.')[0]!, name.split('.').slice(1).join('.'), ctx)
      : refOf(name, ctx);
  });
}
