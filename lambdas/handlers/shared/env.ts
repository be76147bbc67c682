/**
 * The handlers' only way to read their environment: a reader typed by the function's entry in the deployment
 * contract (lambdas/contract/environment.ts). `require` accepts only the names the contract says the function's
 * construct sets, `optional` also the names it may leave unset, so reading an undeclared variable is a compile
 * error. Shared deps take a reader narrowed to the names they use; passing a function's reader then compiles only
 * when that function declares them.
 */
import {
  FUNCTION_CONTRACTS,
  type EnvName,
  type FunctionId,
  type OptionalEnv,
  type RequiredEnv,
} from '../../contract/environment';
import { ValidationError } from '../../core/errors';

export interface EnvReader<R extends EnvName, O extends EnvName = never> {
  /** The value, or a ValidationError naming the variable when the deployment did not set it. */
  readonly require: (name: R) => string;
  /** The value, or undefined when unset or empty. */
  readonly optional: (name: R | O) => string | undefined;
}

export type FunctionEnv<F extends FunctionId> = EnvReader<RequiredEnv<F>, OptionalEnv<F>>;

/** A reader over `source` (process.env by default) for function `fn`; names outside its contract are refused. */
export function envFor<F extends FunctionId>(fn: F, source: NodeJS.ProcessEnv = process.env): FunctionEnv<F> {
  const contract = FUNCTION_CONTRACTS[fn];
  const declared = new Set<string>([...contract.required, ...contract.optional]);
  const read = (name: string): string | undefined => {
    // The types already forbid it; this guards casts and plain-JS callers.
    if (!declared.has(name)) throw new ValidationError(`${fn} does not declare environment variable ${name}`);
    const value = source[name];
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    require: (name) => {
      const value = read(name);
      if (value === undefined)
        throw new ValidationError(`environment variable ${name} is not set (it comes from the CDK stack)`);
      return value;
    },
    optional: read,
  };
}
