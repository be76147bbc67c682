/**
 * How `connector setup` shows its steps (`n/8 Title: state` and indented detail lines) and what a failing step says:
 * what earlier steps did stays, and running setup again resumes. Messages carry names, never values.
 */
import { SetupInputError, SetupStepError } from './setup-errors';
import type { StepReport } from './setup-target';

export const SETUP_STEPS = 8;

export interface SetupProgress {
  report(n: number, title: string, r: StepReport): void;
  attempt<T>(n: number, title: string, step: () => Promise<T>): Promise<T>;
}

export function setupProgress(say: (text: string) => void): SetupProgress {
  return {
    report(n, title, r) {
      say(`${n}/${SETUP_STEPS} ${title}: ${r.state}\n`);
      for (const line of r.lines) say(`      ${line}\n`);
    },
    async attempt(n, title, step) {
      try {
        return await step();
      } catch (error) {
        if (error instanceof SetupInputError || error instanceof SetupStepError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new SetupStepError(
          `${n}/${SETUP_STEPS} ${title} failed: ${reason}. What earlier steps did stays; run setup again to finish.`
        );
      }
    },
  };
}
