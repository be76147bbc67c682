/**
 * Checks a synthesized template against the deployment contract (lambdas/contract/environment.ts). Works on the
 * template JSON, so a test can also show that a broken template is caught.
 */
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { declaredEnv, FUNCTION_CONTRACTS, type FunctionId } from '../../lambdas/contract/environment';
import { ConnectorFunction } from '../../lib/constructs/connector-function';

type Json = Record<string, unknown>;
export interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties?: Json }>;
}

/** Logical id of each connector function (and of its role) with the contract entry it implements. */
export interface DeployedFunction {
  readonly contract: FunctionId;
  readonly logicalId: string;
  readonly roleLogicalId: string;
}

export function deployedFunctions(stack: Stack): DeployedFunction[] {
  return stack.node
    .findAll()
    .filter((c): c is ConnectorFunction => c instanceof ConnectorFunction)
    .map((fn) => ({
      contract: fn.contract,
      logicalId: stack.getLogicalId(fn.node.defaultChild as CfnElement),
      roleLogicalId: stack.getLogicalId(fn.role!.node.defaultChild as CfnElement),
    }));
}

function variablesOf(template: TemplateJson, logicalId: string): Json {
  const props = template.Resources[logicalId]?.Properties ?? {};
  return ((props.Environment as { Variables?: Json } | undefined)?.Variables ?? {}) as Json;
}

/** Required names the construct does not set, and names set that the function's contract does not declare. */
export function environmentViolations(template: TemplateJson, functions: readonly DeployedFunction[]): string[] {
  const problems: string[] = [];
  for (const fn of functions) {
    const variables = variablesOf(template, fn.logicalId);
    for (const name of FUNCTION_CONTRACTS[fn.contract].required) {
      if (!(name in variables)) problems.push(`${fn.contract} requires ${name}, which its construct does not set`);
    }
    const declared = declaredEnv(fn.contract);
    for (const name of Object.keys(variables)) {
      if (!declared.has(name)) problems.push(`${fn.contract} is given ${name}, which it never reads`);
    }
  }
  return problems;
}

/** Logical ids referenced anywhere inside a CloudFormation value (Ref, Fn::GetAtt, nested in Fn::Join…). */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencedIds(item, into);
  else if (value && typeof value === 'object') {
    const object = value as Json;
    if (typeof object.Ref === 'string') into.add(object.Ref);
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') into.add(getAtt[0]);
    for (const [key, inner] of Object.entries(object))
      if (key !== 'Ref' && key !== 'Fn::GetAtt') referencedIds(inner, into);
  }
  return into;
}

/** Resources a variable can point at; each implies a grant. (Keys, log groups and X-Ray are infrastructure.) */
const BOUND_TYPES = new Set([
  'AWS::SQS::Queue',
  'AWS::DynamoDB::Table',
  'AWS::SecretsManager::Secret',
  'AWS::Lambda::Alias',
  'AWS::Lambda::Function',
]);

/**
 * Every resource a function's role is granted must be named by one of its variables (or be the queue its event
 * source reads), and every resource a variable names must be granted: no grant without its variable, no variable
 * without its grant.
 */
export function grantViolations(template: TemplateJson, functions: readonly DeployedFunction[]): string[] {
  const problems: string[] = [];
  const bound = (id: string) => BOUND_TYPES.has(template.Resources[id]?.Type ?? '');
  for (const fn of functions) {
    const granted = new Set<string>();
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      if (!referencedIds(resource.Properties?.Roles).has(fn.roleLogicalId)) continue;
      const statements = (resource.Properties?.PolicyDocument as { Statement: Json[] }).Statement;
      for (const statement of statements)
        for (const id of referencedIds(statement.Resource)) if (bound(id)) granted.add(id);
    }
    const named = new Set<string>();
    for (const value of Object.values(variablesOf(template, fn.logicalId)))
      for (const id of referencedIds(value)) if (bound(id)) named.add(id);
    const eventSources = new Set<string>();
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
      if (referencedIds(resource.Properties?.FunctionName).has(fn.logicalId))
        for (const id of referencedIds(resource.Properties?.EventSourceArn)) eventSources.add(id);
    }
    for (const id of granted) {
      if (!named.has(id) && !eventSources.has(id))
        problems.push(`${fn.contract} is granted ${id} without a variable naming it`);
    }
    for (const id of named) {
      if (!granted.has(id) && !eventSources.has(id))
        problems.push(`${fn.contract} is given ${id} without a grant on it`);
    }
  }
  return problems;
}
