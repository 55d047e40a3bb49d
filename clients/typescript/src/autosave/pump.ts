/**
 * When a save cycle starts, and that only one request is ever in flight (the same split as
 * goalpost/client/autosave/pump.py; docs/autosave.md, "Save cycles"). A cycle starts after
 * `debounceMs` without edits, or `maxWaitMs` after the first unsent edit, whichever is first;
 * failed goals come back after an exponential backoff with jitter. The clock, the timers and
 * the jitter are injected, so the algorithm can run on fake time.
 */
import type { TrackedGoal, TrackedGoals } from "./state.js";
import type { Backoff, SaveTransport } from "./transport.js";

export interface Timing {
  readonly debounceMs: number;
  readonly maxWaitMs: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly maxBatch: number;
}

export interface Clock {
  now(): number;
  random(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Exponential backoff, capped, scaled by a jitter in [0.5, 1) so clients spread out. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, jitter: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1)) * (0.5 + jitter / 2);
}

export function backoff(timing: Timing, clock: Clock): Backoff {
  return {
    atOnce: () => clock.now(),
    retryAt: (attempt, jitter) =>
      attempt >= timing.maxAttempts
        ? null
        : clock.now() + backoffDelay(attempt, timing.backoffBaseMs, timing.backoffMaxMs, jitter),
  };
}

interface Waiter {
  readonly done: () => boolean;
  readonly resolve: () => void;
}

/** Starts each save cycle when it is due and sends it through the transport. */
export class SavePump {
  private waiters: Waiter[] = [];
  private timer: unknown = undefined;
  private windowStart: number | null = null;
  private lastEdit = 0;
  private flushRequested = false;
  /** The page is going away: the next cycle goes with keepalive. */
  private hideRequested = false;
  private stopped = false;
  inFlight = false;

  constructor(
    private readonly goals: TrackedGoals,
    private readonly transport: SaveTransport,
    private readonly timing: Timing,
    private readonly clock: Clock,
    /** Send every cycle with keepalive, not only those started by `flushOnHide`. */
    private readonly keepalive = false,
  ) {}

  /** An edit (re)starts the debounce window; the first unsent one starts `maxWaitMs`. */
  noteEdit(): void {
    const now = this.clock.now();
    this.windowStart ??= now;
    this.lastEdit = now;
  }

  /** Make everything due now, without waiting for the window. */
  flushNow(): void {
    this.flushRequested = true;
    this.schedule();
  }

  /**
   * The page is being hidden or closed: everything due now, in a request with keepalive that
   * outlives the page, started before this returns. With a request in flight (one at a time)
   * it is the next cycle, as soon as that one's answer comes; storage keeps the rest meanwhile.
   */
  flushOnHide(): void {
    this.hideRequested = true;
    this.flushNow();
  }

  /** Everything due now; resolves when it is saved or has failed for good. */
  flush(): Promise<void> {
    this.flushNow();
    return this.until(() => !this.inFlight && ![...this.goals].some((e) => e.eligible));
  }

  /** Resolves when nothing is due at the current time and no request is in flight. */
  settle(): Promise<void> {
    return this.until(() => !this.inFlight && this.due(this.clock.now()).due.length === 0);
  }

  /** Resolves when no request is in flight (a live change waits for a save's answer). */
  notSending(): Promise<void> {
    return this.until(() => !this.inFlight);
  }

  /** No more cycles: drop the timer and release whoever waits. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.resolveWaiters(true);
  }

  /** Start a cycle if one is due, else arm the timer for the next one. */
  schedule(): void {
    this.clearTimer();
    if (this.stopped || this.inFlight) {
      return; // the response will call us again
    }
    const now = this.clock.now();
    const { due, windowDue } = this.due(now);
    if (due.length > 0) {
      void this.cycle(due, windowDue);
      return;
    }
    this.flushRequested = false;
    this.hideRequested = false; // nothing was due: nothing to get out
    this.resolveWaiters();
    const next = this.nextWake(now);
    if (next !== null) {
      this.timer = this.clock.setTimer(() => {
        this.schedule();
      }, Math.max(0, next - now));
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
  }

  private windowDueAt(): number | null {
    if (this.windowStart === null) {
      return null;
    }
    return Math.min(this.lastEdit + this.timing.debounceMs, this.windowStart + this.timing.maxWaitMs);
  }

  /** The goals a cycle starting now would send, and whether the edit window is due. */
  private due(now: number): { due: TrackedGoal[]; windowDue: boolean } {
    const windowAt = this.windowDueAt();
    const windowDue = this.flushRequested || (windowAt !== null && windowAt <= now);
    const due = [...this.goals].filter(
      (e) => e.eligible && (this.flushRequested || (e.retryAt === null ? windowDue : e.retryAt <= now)),
    );
    return { due, windowDue };
  }

  /** When something becomes due, if nothing edits meanwhile. */
  private nextWake(now: number): number | null {
    const eligible = [...this.goals].filter((e) => e.eligible);
    const times = eligible.flatMap((e) => (e.retryAt === null ? [] : [e.retryAt]));
    if (eligible.some((e) => e.retryAt === null)) {
      times.push(this.windowDueAt() ?? now);
    }
    return times.length ? Math.min(...times) : null;
  }

  private until(done: () => boolean): Promise<void> {
    if (this.stopped || done()) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ done, resolve }));
  }

  private resolveWaiters(all = false): void {
    this.waiters = this.waiters.filter((w) => {
      if (!all && !w.done()) {
        return true;
      }
      w.resolve();
      return false;
    });
  }

  /** One save cycle: synchronous up to the request, so a pagehide handler gets it out. */
  private async cycle(due: TrackedGoal[], windowDue: boolean): Promise<void> {
    const batch = due.slice(0, this.timing.maxBatch);
    if (batch.length === due.length) {
      if (windowDue) {
        this.windowStart = null;
      }
      this.flushRequested = false;
    }
    for (const entry of batch) {
      this.goals.take(entry);
    }
    this.goals.persist();
    const jitter = this.clock.random();
    const keepalive = this.keepalive || this.hideRequested;
    if (batch.length === due.length) {
      this.hideRequested = false;
    }
    this.inFlight = true;
    try {
      const payload = await this.transport.send(batch, keepalive);
      this.transport.applyResults(batch, payload, jitter);
    } catch (error) {
      this.transport.requestFailed(batch, error, jitter);
    } finally {
      this.inFlight = false;
      this.goals.persist();
      this.schedule();
    }
  }
}
