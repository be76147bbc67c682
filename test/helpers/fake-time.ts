/**
 * One test clock: time moves only when something sleeps or the test advances it, so waits are visible without
 * slowing the test.
 */
export function fakeTime(startIso = '2026-11-26T00:00:00Z') {
  const start = Date.parse(startIso);
  let now = start;
  const sleeps: number[] = [];
  let onSleep: (() => void) | undefined;
  return {
    clock: { now: () => new Date(now) },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
      onSleep?.();
    },
    /** Runs `hook` after every sleep. */
    whenSleeping: (hook: () => void) => (onSleep = hook),
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
    elapsed: () => now - start,
    sleeps,
  };
}

export type FakeTime = ReturnType<typeof fakeTime>;
