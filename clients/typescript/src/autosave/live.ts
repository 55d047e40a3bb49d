/**
 * Live mode of the AutoSaver (`live: true`; docs/autosave.md, "Live mode", and docs/live.md):
 * tracked goals follow changes made elsewhere, and edits waiting meet such a change at once, as
 * a version conflict. The same rules as goalpost/client/autosave/live.py.
 *
 * The subscription is the package's LiveChanges (../live.ts): after a drop it reads what changed
 * meanwhile from its last cursor, and those notices come here like any other. A notice for a
 * tracked goal at a version the saver has already (its own save) costs nothing; otherwise the
 * follower waits for a request in flight to come back (its answer may bring that version), reads
 * the period's goals once for every notice that came meanwhile and hands each newer goal to the
 * state machine. Only when there is no cursor to catch up from (`onResync`) is every tracked
 * goal read again.
 */
import type { PeriodRef } from "../client.js";
import { isGoalpostError, type GoalpostError } from "../errors.js";
import type { GoalFieldsFragment } from "../generated/graphql.js";
import { LiveChanges, type LiveNotice, type LiveSource, type LiveState } from "../live.js";
import { backoffDelay, type Clock, type SavePump, type Timing } from "./pump.js";
import type { TrackedGoal, TrackedGoals } from "./state.js";

/** What live mode needs of a GoalpostClient: its socket and catch-up reads, and `myGoals`. */
export interface LiveClient extends LiveSource {
  myGoals(period: PeriodRef): Promise<{ myGoals: readonly GoalFieldsFragment[] }>;
}

/** Refusals another try cannot change: the follower stops and keeps why in `error`. */
const FINAL: ReadonlySet<string> = new Set(["UNAUTHENTICATED", "ORG_NOT_FOUND", "PERIOD_NOT_FOUND"]);

export class LiveFollower {
  private live: LiveChanges | null = null;
  /** goalId -> the newest version a notice announced, not read yet. */
  private readonly announced = new Map<string, number>();
  /** No cursor to catch up from: every tracked goal is to be read again. */
  private everything = false;
  private reading: Promise<void> | null = null;
  private readFailure: GoalpostError | null = null;
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

  /** Connections acknowledged so far; more than one means reconnections. */
  get connections(): number {
    return this.live?.connections ?? 0;
  }

  /** Why it stopped for good, if it did. */
  get error(): GoalpostError | null {
    return this.readFailure ?? this.live?.error ?? null;
  }

  get state(): LiveState {
    return this.live?.state ?? "stopped";
  }

  start(): void {
    if (this.live !== null || this.stopped) {
      return;
    }
    this.live = new LiveChanges({
      client: this.client,
      ...this.period,
      onNotice: (notice) => {
        this.notice(notice);
      },
      onResync: () => {
        this.everything = true;
        this.read();
      },
      backoffBaseMs: this.timing.backoffBaseMs,
      backoffMaxMs: this.timing.backoffMaxMs,
      random: () => this.clock.random(),
      setTimer: (fn, ms) => this.clock.setTimer(fn, ms),
      clearTimer: (handle) => {
        this.clock.clearTimer(handle);
      },
    }).start();
  }

  /** Close the subscription; a read under way finishes first. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.live?.close();
    this.wake?.();
    await this.reading;
  }

  /** Not stopped (a method: a field read after an `await` is not narrowed by the one before). */
  private following(): boolean {
    return !this.stopped;
  }

  /** A tracked goal the notice says changed past the version the saver has. */
  private stale(goalId: string, version: number): TrackedGoal | undefined {
    const entry = this.goals.byId(goalId);
    return entry && (entry.version === null || entry.version < version) ? entry : undefined;
  }

  private notice({ goalId, version }: LiveNotice): void {
    if (this.stale(goalId, version)) {
      this.announced.set(goalId, Math.max(version, this.announced.get(goalId) ?? 0));
      this.read();
    }
  }

  /** Start reading, unless a read is under way: it picks up what came meanwhile. */
  private read(): void {
    if (!this.stopped && this.reading === null) {
      this.reading = this.readAll().finally(() => {
        this.reading = null;
      });
    }
  }

  private async readAll(): Promise<void> {
    let attempts = 0;
    while (!this.stopped && (this.everything || this.announced.size > 0)) {
      // A save in flight may be what the notices announce: let its answer say so first.
      await this.pump.notSending();
      if (!this.following()) {
        return; // closed meanwhile: no read
      }
      const everything = this.everything;
      const announced = new Map(this.announced);
      this.everything = false;
      this.announced.clear();
      const entries = everything
        ? [...this.goals].filter((e) => e.id !== null)
        : [...announced].flatMap(([goalId, version]) => this.stale(goalId, version) ?? []);
      try {
        await this.refresh(entries);
        attempts = 0;
      } catch (error) {
        if (isGoalpostError(error) && FINAL.has(error.code)) {
          this.readFailure = error;
          this.stopped = true;
          this.live?.close();
          return;
        }
        // Read again after a backoff, with whatever came meanwhile.
        console.warn("live changes: reading the goals failed, trying again", error);
        this.everything ||= everything;
        for (const [goalId, version] of announced) {
          this.announced.set(goalId, Math.max(version, this.announced.get(goalId) ?? 0));
        }
        attempts += 1;
        const jitter = this.clock.random();
        await this.sleep(backoffDelay(attempts, this.timing.backoffBaseMs, this.timing.backoffMaxMs, jitter));
      }
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
