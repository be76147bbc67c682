/**
 * Xero's per-tenant limits: fixed one-minute and one-day windows, a cap on calls in flight, and the app-wide minute
 * limit across tenants. Only admitted calls count against the windows (a refused call is not charged).
 */
export interface RateLimits {
  readonly perMinute: number;
  readonly concurrent: number;
  readonly perDay: number;
  readonly appPerMinute: number;
}

export const DEFAULT_LIMITS: RateLimits = { perMinute: 60, concurrent: 5, perDay: 5000, appPerMinute: 10_000 };

export type LimitProblem = 'minute' | 'day' | 'concurrent' | 'appminute';

export type Admission =
  | { readonly ok: true; readonly headers: Record<string, string>; readonly release: () => void }
  | {
      readonly ok: false;
      readonly problem: LimitProblem;
      readonly retryAfterSeconds: number;
      readonly headers: Record<string, string>;
    };

const MINUTE = 60_000;
const DAY = 86_400_000;

interface Window {
  start: number;
  used: number;
}

export class RateLimiter {
  private readonly minute = new Map<string, Window>();
  private readonly day = new Map<string, Window>();
  private readonly inFlight = new Map<string, number>();
  private app: Window = { start: 0, used: 0 };

  constructor(
    private readonly limits: RateLimits,
    private readonly clock: () => number
  ) {}

  admit(tenantId: string): Admission {
    const now = this.clock();
    const minute = this.window(this.minute, tenantId, now, MINUTE);
    const day = this.window(this.day, tenantId, now, DAY);
    if (now - this.app.start >= MINUTE) this.app = { start: now - (now % MINUTE), used: 0 };
    const flying = this.inFlight.get(tenantId) ?? 0;

    const refuse = (problem: LimitProblem, windowStart: number, length: number): Admission => ({
      ok: false,
      problem,
      retryAfterSeconds: Math.max(1, Math.ceil((windowStart + length - now) / 1000)),
      headers: this.headers(minute, day),
    });
    if (day.used >= this.limits.perDay) return refuse('day', day.start, DAY);
    if (minute.used >= this.limits.perMinute) return refuse('minute', minute.start, MINUTE);
    if (this.app.used >= this.limits.appPerMinute) return refuse('appminute', this.app.start, MINUTE);
    if (flying >= this.limits.concurrent) return refuse('concurrent', now, 1000);

    minute.used += 1;
    day.used += 1;
    this.app.used += 1;
    this.inFlight.set(tenantId, flying + 1);
    let released = false;
    return {
      ok: true,
      headers: this.headers(minute, day),
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.set(tenantId, Math.max(0, (this.inFlight.get(tenantId) ?? 1) - 1));
      },
    };
  }

  /** The remaining-limit headers for a tenant without charging a call (for answers given before admission). */
  peekHeaders(tenantId: string): Record<string, string> {
    const now = this.clock();
    if (now - this.app.start >= MINUTE) this.app = { start: now - (now % MINUTE), used: 0 };
    return this.headers(this.window(this.minute, tenantId, now, MINUTE), this.window(this.day, tenantId, now, DAY));
  }

  inFlightCount(tenantId: string): number {
    return this.inFlight.get(tenantId) ?? 0;
  }

  /** Clears the windows (not the calls in flight, which still end normally). */
  reset(): void {
    this.minute.clear();
    this.day.clear();
    this.app = { start: 0, used: 0 };
  }

  private window(map: Map<string, Window>, tenantId: string, now: number, length: number): Window {
    const start = now - (now % length);
    let current = map.get(tenantId);
    if (!current || current.start !== start) {
      current = { start, used: 0 };
      map.set(tenantId, current);
    }
    return current;
  }

  private headers(minute: Window, day: Window): Record<string, string> {
    return {
      'X-MinLimit-Remaining': String(Math.max(0, this.limits.perMinute - minute.used)),
      'X-DayLimit-Remaining': String(Math.max(0, this.limits.perDay - day.used)),
      'X-AppMinLimit-Remaining': String(Math.max(0, this.limits.appPerMinute - this.app.used)),
    };
  }
}
