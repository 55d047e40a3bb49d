/**
 * The per-goal state machine of the auto-saver: what it knows of each goal and every transition
 * (the same split as goalpost/client/autosave/state.py).
 * It never reads a clock and never sends anything: the pump decides when a goal is sent, the
 * transport what an answer means; both move goals only through the transitions below.
 */
import type { GoalCategory, GoalFieldsFragment } from "../generated/graphql.js";
import { checkPatch, patchApplied, unapplied, type AnyPatch } from "./patches.js";
import { storedRecord, type StoredRecord, type TabStorage } from "./storage.js";

export type Goal = GoalFieldsFragment;
export type SaveState = "idle" | "pending" | "saving" | "saved" | "error";

/** Why a goal is not saved: an item's result, or its request's error. */
export interface GoalProblem {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly fieldErrors?: readonly { readonly field: string; readonly message: string }[];
  /** The server's goal, for a version conflict. */
  readonly current?: Goal;
  /** A version conflict a live change found, before any save met it. */
  readonly live?: boolean;
}

/** What the UI shows for one goal. */
export interface GoalSaveState {
  readonly key: string;
  readonly category: GoalCategory;
  readonly state: SaveState;
  readonly message: string | null;
  readonly id?: string;
  readonly version?: number;
  readonly goal?: Goal;
  readonly problem?: GoalProblem;
  /** The server's goal after a version conflict, until resolveConflict(). */
  readonly conflict?: Goal;
  readonly attempts: number;
  /** Fields typed but not yet confirmed: in flight, then newer edits on top. */
  readonly unsaved: AnyPatch;
}

/** Sent to subscribers whenever a goal's state or message changes (a toast per failure). */
export interface AutoSaveEvent {
  readonly key: string;
  readonly state: SaveState;
  readonly previous: SaveState;
  readonly message: string | null;
  readonly problem: GoalProblem | null;
  readonly goal: Goal | null;
  readonly deleted: boolean;
  /** The goal came back from storage (a reload, or a tab that is gone). */
  readonly restored: boolean;
  /** Live mode: the goal changed elsewhere and, nothing of ours waiting, `goal` is it now. */
  readonly refreshed: boolean;
}

/** What a live change did to a goal (see TrackedGoals.changedElsewhere). */
export type LiveOutcome = "known" | "later" | "followed" | "conflict" | "kept";

export type Listener = (event: AutoSaveEvent) => void;

/** One goal as the saver knows it: the server's side, the unsent edits, the one in flight. */
export class TrackedGoal {
  id: string | null = null;
  version: number | null = null;
  goal: Goal | null = null;
  pending: Record<string, unknown> = {};
  delete = false;
  /** What the request in flight carries for this goal. */
  sent: AnyPatch | null = null;
  sentDelete = false;
  /** Updates whose request got no answer: the server may hold one of them (all at `version`). */
  lost: AnyPatch[] = [];
  everSent = false;
  state: SaveState = "idle";
  message: string | null = null;
  problem: GoalProblem | null = null;
  blocked = false;
  attempts = 0;
  retryAt: number | null = null;

  constructor(
    readonly key: string,
    readonly category: GoalCategory,
    readonly clientId: string,
  ) {}

  get sending(): boolean {
    return this.sent !== null;
  }

  get needsSend(): boolean {
    return this.delete || Object.keys(this.pending).length > 0 || this.id === null;
  }

  /** Has something to send and nothing stops it (but it may not be due yet). */
  get eligible(): boolean {
    return this.needsSend && !this.sending && !this.blocked;
  }

  get inConflict(): boolean {
    return this.problem?.code === "VERSION_CONFLICT";
  }

  snapshot(): GoalSaveState {
    const { key, category, state, message, attempts, id, version, goal, problem } = this;
    const conflict = this.inConflict ? problem?.current : undefined;
    return {
      key,
      category,
      state,
      message,
      attempts,
      unsaved: { ...(this.sent ?? {}), ...this.pending },
      ...(id === null ? {} : { id }),
      ...(version === null ? {} : { version }),
      ...(goal === null ? {} : { goal }),
      ...(problem === null ? {} : { problem }),
      ...(conflict === undefined ? {} : { conflict }),
    };
  }
}

/** The saver's goals by key, and the transitions that move them (each emits its event). */
export class TrackedGoals implements Iterable<TrackedGoal> {
  private readonly goals = new Map<string, TrackedGoal>();
  private readonly listeners = new Set<Listener>();

  /** `store` keeps the goals not yet confirmed across a reload (none: nothing is kept). */
  constructor(private readonly store: TabStorage | null = null) {}

  // -- looking up ---------------------------------------------------------------------------

  get(key: string): TrackedGoal {
    const entry = this.goals.get(key);
    if (!entry) {
      throw new RangeError(`unknown goal key ${key}; add() or load() it first`);
    }
    return entry;
  }

  has(key: string): boolean {
    return this.goals.has(key);
  }

  keys(): string[] {
    return [...this.goals.keys()];
  }

  byId(id: string): TrackedGoal | undefined {
    return [...this.goals.values()].find((e) => e.id === id);
  }

  [Symbol.iterator](): Iterator<TrackedGoal> {
    return this.goals.values();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  // -- what the app does --------------------------------------------------------------------

  /** Know a goal loaded from the server (keyed by its clientId); unsent local edits win. */
  track(goal: Goal): string {
    const key = goal.clientId;
    const entry = this.goals.get(key);
    if (entry && (entry.needsSend || entry.sending)) {
      // A create restored after a reload whose goal exists already: adopt the server's id,
      // so its edits go out as an update of that goal.
      if (entry.id === null && !entry.sending) {
        Object.assign(entry, { id: goal.id, version: goal.version, goal });
      }
      return key;
    }
    const tracked = new TrackedGoal(key, goal.category, goal.clientId);
    Object.assign(tracked, { id: goal.id, version: goal.version, goal });
    this.goals.set(key, tracked);
    return key;
  }

  add(key: string, category: GoalCategory, patch: AnyPatch): TrackedGoal {
    if (this.goals.has(key)) {
      throw new RangeError(`goal key ${key} is already in use`);
    }
    const checked = checkPatch(category, patch); // a bad patch would fail the whole batch
    const entry = new TrackedGoal(key, category, key);
    Object.assign(entry.pending, checked);
    this.goals.set(key, entry);
    return entry;
  }

  /** Coalesce into the pending patch; an edit answers a validation error, not a conflict. */
  edit(key: string, category: GoalCategory, patch: AnyPatch): TrackedGoal {
    const entry = this.get(key);
    if (entry.category !== category) {
      throw new RangeError(`goal ${key} is a ${entry.category} goal, not ${category}`);
    }
    if (entry.delete) {
      throw new RangeError(`goal ${key} is being deleted`);
    }
    Object.assign(entry.pending, checkPatch(category, patch)); // a bad patch would fail the whole batch
    if (!entry.inConflict) {
      this.unblock(entry);
    }
    return entry;
  }

  /** Mark a goal for deletion; one the server never saw is forgotten (returns null). */
  delete(key: string): TrackedGoal | null {
    const entry = this.get(key);
    if (entry.id === null && !entry.everSent && !entry.sending) {
      this.goals.delete(key);
      this.persist();
      this.emit(entry, entry.state, { deleted: true });
      return null;
    }
    entry.delete = true;
    this.unblock(entry);
    return entry;
  }

  /** Rebase on the server's version; returns the goal if my edits are to be resent. */
  resolveConflict(key: string, keep: "mine" | "theirs"): TrackedGoal | null {
    const entry = this.get(key);
    const current = entry.inConflict ? entry.problem?.current : undefined;
    if (!current) {
      throw new RangeError(`goal ${key} has no version conflict`);
    }
    Object.assign(entry, { goal: current, version: current.version, lost: [] });
    this.unblock(entry);
    if (keep === "theirs") {
      Object.assign(entry, { pending: {}, delete: false });
      this.persist();
      this.setState(entry, "saved");
      return null;
    }
    return entry;
  }

  /** A goal with something new to send shows `pending` (an `error` stays until unblocked). */
  markEdited(entry: TrackedGoal): void {
    if (!entry.sending && entry.state !== "error") {
      this.setState(entry, "pending");
    }
  }

  /** Let a goal in `error` be sent again, with a fresh count of attempts. */
  unblock(entry: TrackedGoal, clearConflict = true): void {
    if (!entry.blocked || (!clearConflict && entry.inConflict)) {
      return;
    }
    Object.assign(entry, { blocked: false, attempts: 0, retryAt: null, problem: null });
    if (!entry.sending) {
      this.setState(entry, "pending");
    }
  }

  // -- what a live change does --------------------------------------------------------------

  /**
   * A live change: the server's goal now (null: deleted). With nothing of ours waiting the goal
   * follows it (an event with `refreshed`, or `deleted`); with edits waiting they are held in a
   * version conflict at once, never sent over it silently, unless the server holds them
   * already, or holds, one version on, what an update without an answer carried (its own
   * write, while newer edits wait). A goal in flight is left to its request's answer.
   */
  changedElsewhere(entry: TrackedGoal, current: Goal | null): LiveOutcome {
    if (entry.sending || entry.id === null) {
      return "later";
    }
    if (current && entry.version !== null && current.version <= entry.version) {
      return "known";
    }
    if (!entry.needsSend) {
      if (current) {
        Object.assign(entry, { id: current.id, version: current.version, goal: current });
        this.emit(entry, entry.state, { refreshed: true });
      } else {
        this.forget(entry);
      }
      return "followed";
    }
    if (!current) {
      return "kept"; // deleted elsewhere while edited here: its save will say so
    }
    if (!entry.delete && patchApplied(entry.pending, current)) {
      // Our own write whose answer was lost, or the same edit made elsewhere: nothing to send.
      Object.assign(entry, { pending: {}, retryAt: null });
      this.confirm(entry, current);
      this.emit(entry, entry.state, { refreshed: true });
      this.persist();
      return "followed";
    }
    const oneOn = entry.version !== null && current.version === entry.version + 1;
    if (!entry.delete && oneOn && entry.lost.some((lost) => patchApplied(lost, current))) {
      // Our own write whose answer was lost, while newer edits wait: no conflict. The goal takes
      // that version; what it does not hold yet goes at its retry as an update of it.
      entry.pending = { ...unapplied(entry.pending, current) };
      this.confirm(entry, current);
      this.emit(entry, entry.state, { refreshed: true });
      this.persist();
      return "followed";
    }
    const held = entry.inConflict ? entry.problem?.current : undefined;
    if (held && held.version >= current.version) {
      return "known";
    }
    const message = `VERSION_CONFLICT: changed elsewhere (now version ${String(current.version)})`;
    this.block(entry, message, { code: "VERSION_CONFLICT", message, retryable: false, current, live: true });
    this.persist();
    return "conflict";
  }

  // -- what a save cycle does ---------------------------------------------------------------

  /** The pending patch (or the delete) goes into the request; newer edits pend anew. */
  take(entry: TrackedGoal): void {
    entry.sentDelete = entry.delete && entry.id !== null;
    entry.sent = entry.sentDelete ? {} : entry.pending;
    Object.assign(entry, { pending: {}, retryAt: null, everSent: true });
    this.setState(entry, "saving");
  }

  /** The request is answered: what it carried (the patch, whether a delete). */
  finish(entry: TrackedGoal): { sent: AnyPatch; sentDelete: boolean } {
    const done = { sent: entry.sent ?? {}, sentDelete: entry.sentDelete };
    Object.assign(entry, { sent: null, sentDelete: false });
    return done;
  }

  /** An update got no answer: it may have been written. Remembered apart from newer edits, so
   * a resend that conflicts with it can tell our own write from someone else's. */
  answerLost(entry: TrackedGoal, sent: AnyPatch): void {
    entry.lost.push({ ...sent });
  }

  /** Put a failed patch back under any newer edits: nothing typed is lost. */
  restore(entry: TrackedGoal, sent: AnyPatch): void {
    entry.pending = { ...sent, ...entry.pending };
  }

  /** Saved: later edits become updates of this id with `expectedVersion`. */
  confirm(entry: TrackedGoal, goal: Goal): void {
    Object.assign(entry, { id: goal.id, version: goal.version, goal, lost: [], attempts: 0, blocked: false });
    this.setState(entry, entry.needsSend ? "pending" : "saved");
  }

  /** Deleted on the server: the goal leaves the saver. */
  forget(entry: TrackedGoal): void {
    this.goals.delete(entry.key);
    const previous = entry.state;
    Object.assign(entry, { state: "saved", message: null, problem: null });
    this.emit(entry, previous, { deleted: true });
  }

  countAttempt(entry: TrackedGoal): number {
    entry.attempts += 1;
    return entry.attempts;
  }

  /** A retryable failure: the goal stays `pending` and is due again at `at`. */
  retryLater(entry: TrackedGoal, at: number, message: string | null, problem: GoalProblem | null): void {
    entry.retryAt = at;
    this.setState(entry, "pending", message, problem);
  }

  /** A failure retrying cannot fix: `error` until an edit, `retry()` or a resolution. */
  block(entry: TrackedGoal, message: string, problem: GoalProblem | null): void {
    entry.blocked = true;
    this.setState(entry, "error", message, problem);
  }

  // -- events -------------------------------------------------------------------------------

  setState(entry: TrackedGoal, state: SaveState, message: string | null = null, problem: GoalProblem | null = null): void {
    const previous = entry.state;
    const changed = previous !== state || entry.message !== message;
    Object.assign(entry, { state, message, problem });
    if (changed) {
      this.emit(entry, previous);
    }
  }

  private emit(
    entry: TrackedGoal,
    previous: SaveState,
    { deleted = false, restored = false, refreshed = false } = {},
  ): void {
    const event: AutoSaveEvent = {
      key: entry.key,
      state: entry.state,
      previous,
      message: entry.message,
      problem: entry.problem,
      goal: entry.goal,
      deleted,
      restored,
      refreshed,
    };
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error("autosave listener failed", error); // a UI bug must not stop saving
      }
    }
  }

  // -- persistence --------------------------------------------------------------------------

  /** Keep every goal not yet confirmed in storage, so a reload can resend it. */
  persist(): void {
    this.store?.save([...this.goals.values()].filter((e) => e.needsSend || e.sending).map(storedRecord));
  }

  /** Stored records become pending edits, kept under this tab's key at once; their keys. */
  adopt(records: readonly StoredRecord[], announce = false): string[] {
    for (const record of records) {
      const entry = this.restoreOne(record);
      if (announce) {
        this.emit(entry, entry.state, { restored: true });
      }
    }
    this.persist();
    return records.map((r) => r.key);
  }

  private restoreOne(record: StoredRecord): TrackedGoal {
    let entry = this.goals.get(record.key);
    if (!entry) {
      entry = new TrackedGoal(record.key, record.category, record.clientId);
      this.goals.set(record.key, entry);
    }
    // The stored version is the one these edits were based on: keep it for expectedVersion.
    if (record.id) {
      Object.assign(entry, { id: record.id, version: record.version });
    }
    entry.everSent ||= record.everSent;
    entry.pending = { ...record.patch, ...entry.pending };
    entry.delete ||= record.delete;
    this.setState(entry, "pending");
    return entry;
  }
}
