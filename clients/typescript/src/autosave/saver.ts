/**
 * `AutoSaver`: the client-side auto-save of docs/autosave.md, with the Python saver's
 * vocabulary. Edits only record and coalesce; one `batchSaveGoals` request per save cycle
 * carries every due goal; at most one request is in flight; a create's id and version are
 * recorded so later edits go out as updates; only failed goals are retried.
 *
 * Where each part lives: state.ts (the per-goal state machine), pump.ts (the timing),
 * transport.ts (the request and what its answers mean), patches.ts (the typed patches).
 */
import type { GoalCategory } from "../generated/graphql.js";
import { randomHex } from "./ids.js";
import { LiveFollower, type LiveClient } from "./live.js";
import type { Patch } from "./patches.js";
import { SavePump, backoff, type Clock, type Timing } from "./pump.js";
import { TrackedGoals, type Goal, type GoalSaveState, type Listener, type LiveOutcome, type TrackedGoal } from "./state.js";
import { TabStorage, isStoredRecord, type StorageLike } from "./storage.js";
import { SaveTransport, type BatchSaver } from "./transport.js";

/** What the saver needs of a GoalpostClient: saving, loading the caller's goals, live changes
 * (its socket and catch-up reads: `wsUrl`, `connectionParams`, `execute`). */
export interface AutoSaverClient extends BatchSaver, LiveClient {}

export interface AutoSaverOptions extends Partial<Timing>, Partial<Clock> {
  readonly orgSlug: string;
  readonly periodId: string;
  /** Where unconfirmed edits survive a reload (a browser: `localStorage`); none: not kept. */
  readonly storage?: StorageLike;
  /** Their key; default `goalpost.unsaved.v1.<orgSlug>.<periodId>`. Put the user in it
   * (the sheet uses `goalpost.unsaved.v1.<user>.<org>.<period>`) when several sign in. */
  readonly storageKey?: string;
  /** Follow changes made elsewhere over `goalChanged` (docs/autosave.md, "Live mode"). A
   * page that follows them itself hands them over with `changedElsewhere` instead. */
  readonly live?: boolean;
  /** Send every request with fetch's keepalive, not only `flushOnHide`'s: one in flight when
   * the page goes still arrives (the goal sheet's way). */
  readonly keepalive?: boolean;
}

export const DEFAULT_TIMING: Timing = Object.freeze({
  debounceMs: 800,
  maxWaitMs: 5000,
  maxAttempts: 5,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  maxBatch: 200,
});

const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** Thrown by edits on a saver that is closed (an org or period switch). */
export class SaverClosed extends Error {
  override readonly name = "SaverClosed";
}

export function newClientId(): string {
  return `tmp-${randomHex(16)}`;
}

export class AutoSaver {
  readonly orgSlug: string;
  readonly periodId: string;
  private closedFlag = false;
  private readonly goals: TrackedGoals;
  private readonly store: TabStorage | null;
  private readonly transport: SaveTransport;
  private readonly pump: SavePump;
  private readonly follower: LiveFollower | null;

  constructor(
    private readonly client: AutoSaverClient,
    options: AutoSaverOptions,
  ) {
    this.orgSlug = options.orgSlug;
    this.periodId = options.periodId;
    const storageKey = options.storageKey ?? `goalpost.unsaved.v1.${options.orgSlug}.${options.periodId}`;
    this.store = options.storage ? new TabStorage(options.storage, storageKey, isStoredRecord) : null;
    this.goals = new TrackedGoals(this.store);
    const timing: Timing = { ...DEFAULT_TIMING, ...definedOnly(options, DEFAULT_TIMING) };
    const clock: Clock = { ...SYSTEM_CLOCK, ...definedOnly(options, SYSTEM_CLOCK) };
    this.transport = new SaveTransport(this.goals, client, this, backoff(timing, clock));
    this.pump = new SavePump(this.goals, this.transport, timing, clock, options.keepalive === true);
    const period = { orgSlug: this.orgSlug, periodId: this.periodId };
    this.follower = options.live ? new LiveFollower(this.goals, this.pump, client, period, timing, clock) : null;
  }

  // -- what the app calls -------------------------------------------------------------------

  /**
   * Bring back the edits storage kept (this tab's, a closed tab's), then track the caller's goals
   * of the period (keyed by their clientId); returns the keys. Restored edits are sent at once:
   * safe, as a create is idempotent by clientId and a restored create whose goal exists becomes
   * an update of it.
   */
  async load(): Promise<string[]> {
    this.follower?.start(); // first, so changes made while loading are heard
    const restored = await this.restoreStored();
    const { myGoals } = await this.client.myGoals({ orgSlug: this.orgSlug, periodId: this.periodId });
    const keys = myGoals.map((goal) => this.goals.track(goal));
    if (restored.length > 0 && !this.closedFlag) {
      this.pump.flushNow(); // nothing to wait for: these edits are old already
    }
    return [...new Set([...restored, ...keys])];
  }

  /**
   * For a page that reads the goals itself (`track` each), instead of `load()`: bring back the
   * edits storage kept and send them at once; returns their keys. Once per saver. Entries of
   * tabs open now come back if those tabs close first: an event with `restored: true` each,
   * sent at once too.
   */
  async restore(): Promise<string[]> {
    this.follower?.start();
    const restored = await this.restoreStored();
    if (restored.length > 0 && !this.closedFlag) {
      this.pump.flushNow();
    }
    return restored;
  }

  private async restoreStored(): Promise<string[]> {
    const restored: string[] = [];
    await this.store?.restore(
      (records) => restored.push(...this.goals.adopt(records)),
      (records) => {
        if (!this.closedFlag) {
          this.goals.adopt(records, true);
          this.pump.flushNow();
        }
      },
    );
    return [...new Set(restored)];
  }

  /**
   * Know a goal read elsewhere (keyed by its clientId): a page's own read of the period, or a
   * goal created in another tab that the page's live changes found. Edits of it waiting here
   * win over it. In live mode, the first goal tracked starts the subscription (as `load()`).
   */
  track(goal: Goal): string {
    this.follower?.start();
    return this.goals.track(goal);
  }

  /**
   * A change made elsewhere, for a page that follows live changes itself (docs/autosave.md,
   * "Live mode"): the server's goal now, or null when it is deleted; the rules of `live: true`.
   * An unknown goal, or a saver closed, is `later`.
   */
  changedElsewhere(key: string, goal: Goal | null): LiveOutcome {
    if (this.closedFlag || !this.goals.has(key)) {
      return "later";
    }
    const outcome = this.goals.changedElsewhere(this.goals.get(key), goal);
    this.pump.schedule(); // a goal it unblocked, or left with edits to send, is due
    return outcome;
  }

  /** A new goal; its key is also its clientId (the server's idempotency key). */
  add<C extends GoalCategory>(category: C, fields: Patch<C> = {}, key: string = newClientId()): string {
    this.checkOpen();
    this.follower?.start();
    this.touch(this.goals.add(key, category, fields));
    return key;
  }

  /** Record a change; later values of a field win over earlier ones not yet sent. */
  edit<C extends GoalCategory>(key: string, category: C, patch: Patch<C>): void {
    this.checkOpen();
    this.touch(this.goals.edit(key, category, patch));
  }

  /** Delete a goal; one never sent to the server is simply forgotten. */
  delete(key: string): void {
    this.checkOpen();
    const entry = this.goals.delete(key);
    if (entry) {
      this.touch(entry);
    }
  }

  /** Send goals in `error` again (a toast's Retry): one goal, or all of them. */
  retry(key?: string): void {
    this.checkOpen();
    for (const entry of key === undefined ? [...this.goals] : [this.goals.get(key)]) {
      if (entry.blocked) {
        this.goals.unblock(entry, false);
        this.touch(entry);
      }
    }
  }

  /** After a version conflict: resend my edits over the server's version, or drop them. */
  resolveConflict(key: string, keep: "mine" | "theirs"): void {
    this.checkOpen();
    const entry = this.goals.resolveConflict(key, keep);
    if (entry) {
      this.touch(entry);
    }
  }

  /** Send everything pending now; resolves when it is saved or has failed for good. */
  flush(): Promise<void> {
    return this.closedFlag ? Promise.resolve() : this.pump.flush();
  }

  /**
   * The page is being hidden or closed (`pagehide`, `visibilitychange` to hidden): what is
   * pending goes now, with fetch's keepalive, started before this returns. With a request in
   * flight it goes as soon as that one is answered (one at a time); storage keeps it meanwhile.
   */
  flushOnHide(): void {
    if (!this.closedFlag) {
      this.pump.flushOnHide();
    }
  }

  /** Resolves when nothing is due now and no request is in flight. */
  settle(): Promise<void> {
    return this.pump.settle();
  }

  /** Flush, then stop: later edits throw SaverClosed instead of reaching this org. */
  async close(): Promise<void> {
    if (this.closedFlag) {
      return;
    }
    try {
      await this.flush();
    } finally {
      this.closedFlag = true;
      this.store?.stop();
      this.pump.stop();
      await this.follower?.stop();
    }
  }

  subscribe(listener: Listener): () => void {
    return this.goals.subscribe(listener);
  }

  keys(): string[] {
    return this.goals.keys();
  }

  state(key: string): GoalSaveState {
    return this.goals.get(key).snapshot();
  }

  /** Every tracked goal's state, by key. */
  states(): Map<string, GoalSaveState> {
    return new Map(this.goals.keys().map((key) => [key, this.goals.get(key).snapshot()]));
  }

  has(key: string): boolean {
    return this.goals.has(key);
  }

  /** The key of the tracked goal with this server id (a live notice names goals by id). */
  keyOf(goalId: string): string | null {
    return this.goals.byId(goalId)?.key ?? null;
  }

  /** A save request is in flight (its answer may bring a version a live notice announced). */
  get sending(): boolean {
    return this.pump.inFlight;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Live mode's subscription: how often it connected, where it is, why it stopped for good. */
  get live(): Pick<LiveFollower, "connections" | "error" | "state"> | null {
    return this.follower;
  }

  /** Requests sent so far: one per save cycle. */
  get requestsSent(): number {
    return this.transport.requestsSent;
  }

  // -- bookkeeping --------------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closedFlag) {
      throw new SaverClosed(`this auto-saver for org ${this.orgSlug} is closed`);
    }
  }

  /** An edit: (re)start the debounce window, show `pending`, and reschedule. */
  private touch(entry: TrackedGoal): void {
    this.pump.noteEdit();
    this.goals.markEdited(entry);
    this.goals.persist();
    this.pump.schedule();
  }
}

/** The options named in `defaults` that are set: an explicit undefined keeps the default. */
function definedOnly<T extends object>(options: object, defaults: T): Partial<T> {
  const picked: Record<string, unknown> = {};
  for (const name of Object.keys(defaults)) {
    const value = (options as Record<string, unknown>)[name];
    if (value !== undefined) {
      picked[name] = value;
    }
  }
  return picked as Partial<T>;
}
