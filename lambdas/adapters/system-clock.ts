/**
 * The wall clock, in one place. Composition roots (Lambda handlers, the local runtime) pass it on as the Clock
 * port; everything else takes the clock it is given, so tests own time. ESLint forbids reading the wall clock
 * (`Date.now()`, `new Date()`) anywhere else in `lambdas/` and `src/local/`.
 */
import type { Clock } from '../core/ports';

export const systemClock: Clock = { now: () => new Date() };

/** The wall clock as a function, for adapters whose option is `now: () => Date`. */
export const systemNow = (): Date => systemClock.now();
