/**
 * Live mode of the AutoSaver (`live: true`; docs/autosave.md, "Live mode", and docs/live.md):
 * tracked goals follow changes made elsewhere, and edits waiting meet such a change at once, as
 * a version conflict. The same rules as goalpost/client/autosave/live.py.
 *
 * One loop holds the `goalChanged` subscription. A notice for a tracked goal at a version the
 * saver has already (its own save) costs nothing; otherwise the loop waits for a request in
 * flight to come back (its answer may bring that version), reads the period's goals once and
 * hands each newer goal to the state machine. A subscription that ends is opened again after a
 * backoff, and every tracked goal is read again then, so a change missed meanwhile is not lost.
 */
import type { GoalChangeNotice, PeriodRef } from "../client.js";
import { isGoalpostError, type GoalpostError } from "../errors.js";
import type { GoalFieldsFragment } from "../generated/graphql.js";
import { backoffDelay, type Clock, type SavePump, type Timing } from "./pump.js";
import type { TrackedGoal, TrackedGoals } from "./state.js";

/** What live mode needs of a GoalpostClient. */
export interface LiveClient {
  goalChanged(period: PeriodRef & { signal?: AbortSignal }): AsyncGenerator<GoalChangeNotice, void, undefined>;
  myGoals(period: PeriodRef): Promise<{ myGoals: readonly GoalFieldsFragment[] }>;
}

/** Refusals another try cannot change: the follower stops and keeps why in `error`. */
const FINAL: ReadonlySet<string> = new Set(["UNAUTHENTICATED", "ORG_NOT_FOUND", "PERIOD_NOT_FOUND"]);

export class LiveFollower {
  /** Subscriptions opened; more than one means reconnections. */
  connections = 0;
  /** Why it stopped for good, if it did. */
  error: GoalpostError | null = null;
  private readonly closing = new AbortController();
  private running: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly goals: TrackedGoals,
    private readonly pump: SavePump,
    private readonly client: LiveClient,
    private readonly period: PeriodRef,
    private readonly timing: Timing,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  /** Close the subscription. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.closing.abort(); // ends the subscription, also while it waits for a notice
    await this.running;
  }

  private async run(): Promise<void> {
    let attempts = 0;
    while (!this.stopped) {
      let progressed = false;
      try {
        if (this.connections > 0) {
          await this.refresh([...this.goals].filter((e) => e.id !== null)); // missed meanwhile
        }
        this.connections += 1;
        for await (const notice of this.client.goalChanged({ ...this.period, signal: this.closing.signal })) {
          progressed = true;
          await this.apply(notice);
        }
      } catch (error) {
        if (isGoalpostError(error) && FINAL.has(error.code)) {
          this.error = error;
          return;
        }
        console.warn("live changes interrupted, reconnecting", error);
      }
      attempts = progressed ? 1 : attempts + 1;
      const jitter = this.clock.random();
      await this.sleep(backoffDelay(attempts, this.timing.backoffBaseMs, this.timing.backoffMaxMs, jitter));
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = this.clock.setTimer(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        this.clock.clearTimer(timer);
        resolve();
      };
    });
  }

  /** A tracked goal the notice says changed past the version the saver has. */
  private stale(notice: GoalChangeNotice): TrackedGoal | undefined {
    const entry = this.goals.byId(notice.goalId);
    return entry && (entry.version === null || entry.version < notice.version) ? entry : undefined;
  }

  private async apply(notice: GoalChangeNotice): Promise<void> {
    if (!this.stale(notice)) {
      return;
    }
    // A save in flight may be what this notice announces: let its answer say so first.
    await this.pump.notSending();
    const entry = this.stale(notice);
    if (entry) {
      await this.refresh([entry]);
    }
  }

  /** Read the period's goals once; each of `entries` meets its goal as it is now. */
  private async refresh(entries: readonly TrackedGoal[]): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    const { myGoals } = await this.client.myGoals(this.period);
    const byId = new Map(myGoals.map((goal) => [goal.id, goal]));
    for (const entry of entries) {
      if (entry.id !== null && this.goals.has(entry.key)) {
        this.goals.changedElsewhere(entry, byId.get(entry.id) ?? null);
      }
    }
    this.pump.schedule(); // a goal a change unblocked, or left with edits to send, is due
  }
}
