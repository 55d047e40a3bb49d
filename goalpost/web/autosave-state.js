/**
 * The per-goal state machine of the sheet's auto-save: what it knows of each goal and every
 * transition (the same split as goalpost/client/autosave/state.py).
 *
 * It owns the tracked goals (server id and version, the pending patch that edits coalesce into,
 * what the request in flight carries), their states idle/pending/saving/saved/error, conflicts
 * and the events subscribers see. It never reads a clock and never sends anything: the pump
 * decides *when* a goal is sent and the transport decides *what a server answer means*; both
 * move goals only through the transitions below. (autosave-storage.js keeps the unsaved edits.)
 */

import { checkPatch, unapplied } from "./autosave-patches.js";

export const PATCH_FIELD = Object.freeze({
  PERFORMANCE: "performance",
  COMPETENCY: "competency",
  CORE_VALUE: "coreValue",
});

export function newClientId() {
  const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;
  return `tmp-${random.replaceAll("-", "").slice(0, 16)}`;
}

function isEmpty(object) {
  return Object.keys(object).length === 0;
}

/** One goal as the saver knows it: the server's side, the unsent edits, the one in flight. */
export class TrackedGoal {
  constructor({ key, category, clientId, id = null, version = null, goal = null }) {
    this.key = key;
    this.category = category;
    this.clientId = clientId;
    this.id = id;
    this.version = version;
    this.goal = goal;
    this.pending = {};
    this.delete = false;
    this.sent = null; // what the request in flight carries for this goal
    this.sentDelete = false;
    this.lost = []; // updates whose request got no answer: the server may hold one of them
    this.everSent = false;
    this.state = "idle";
    this.message = null;
    this.problem = null;
    this.blocked = false;
    this.attempts = 0;
    this.retryAt = null;
  }

  get sending() {
    return this.sent !== null;
  }

  get needsSend() {
    return this.delete || !isEmpty(this.pending) || this.id === null;
  }

  /** Has something to send and nothing stops it (but it may not be due yet). */
  get eligible() {
    return this.needsSend && !this.sending && !this.blocked;
  }

  get inConflict() {
    return this.problem?.code === "VERSION_CONFLICT";
  }

  /** Fields typed but not confirmed by the server: in flight, then newer edits on top. */
  get unsaved() {
    return { ...(this.sent ?? {}), ...this.pending };
  }

  snapshot() {
    const { key, category, state, message, id, version, goal, problem, attempts } = this;
    const conflict = problem?.code === "VERSION_CONFLICT" ? (problem.current ?? null) : null;
    const unsaved = this.unsaved;
    return {
      key,
      category,
      state,
      message,
      id,
      version,
      goal,
      problem,
      attempts,
      conflict,
      unsaved,
    };
  }
}

/**
 * The saver's goals by key, and the transitions that move them (each one emits its event).
 * `unsaved` (an UnsavedEdits) keeps the goals not yet confirmed across a reload.
 */
export class TrackedGoals {
  constructor(unsaved) {
    this._unsaved = unsaved;
    this._goals = new Map();
    this._listeners = new Set();
  }

  // -- looking up -----------------------------------------------------------------------------

  get(key) {
    const entry = this._goals.get(key);
    if (!entry) throw new Error(`unknown goal key ${key}; add() or track() it first`);
    return entry;
  }

  has(key) {
    return this._goals.has(key);
  }

  [Symbol.iterator]() {
    return this._goals.values();
  }

  snapshots() {
    return new Map([...this._goals].map(([key, entry]) => [key, entry.snapshot()]));
  }

  subscribe(listener) {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  // -- what the app does ----------------------------------------------------------------------

  /** Know a goal loaded from the server; local edits not yet confirmed win over it. */
  track(goal) {
    const key = goal.clientId;
    const entry = this._goals.get(key);
    if (entry && (entry.needsSend || entry.sending)) {
      // A create restored after a reload whose goal exists already: adopt the server's id,
      // so the edits go out as an update of that goal.
      if (entry.id === null && !entry.sending) {
        Object.assign(entry, { id: goal.id, version: goal.version, goal });
      }
      return key;
    }
    const tracked = new TrackedGoal({
      key,
      category: goal.category,
      clientId: goal.clientId,
      id: goal.id,
      version: goal.version,
      goal,
    });
    this._goals.set(key, tracked);
    return key;
  }

  add(key, category, patch) {
    if (!PATCH_FIELD[category]) throw new Error(`unknown category ${category}`);
    if (this._goals.has(key)) throw new Error(`goal key ${key} is already in use`);
    checkPatch(category, patch); // a bad patch would fail the whole batch, cycle after cycle
    const entry = new TrackedGoal({ key, category, clientId: key });
    Object.assign(entry.pending, patch);
    this._goals.set(key, entry);
    return entry;
  }

  /** Coalesce into the pending patch; an edit answers a validation error, not a conflict. */
  edit(key, patch) {
    const entry = this.get(key);
    if (entry.delete) throw new Error(`goal ${key} is being deleted`);
    checkPatch(entry.category, patch); // a bad patch would fail the whole batch, cycle after cycle
    Object.assign(entry.pending, patch);
    if (!entry.inConflict) this.unblock(entry);
    return entry;
  }

  /** Mark a goal for deletion; one the server never saw is forgotten (returns null). */
  delete(key) {
    const entry = this.get(key);
    if (entry.id === null && !entry.everSent && !entry.sending) {
      this._goals.delete(key);
      this.persist();
      this._emit(entry, entry.state, { deleted: true });
      return null;
    }
    entry.delete = true;
    this.unblock(entry);
    return entry;
  }

  /** Rebase on the server's version; returns the goal if my edits are to be resent. */
  resolveConflict(key, keep) {
    const entry = this.get(key);
    const current = entry.problem?.current;
    if (!current) throw new Error(`goal ${key} has no version conflict`);
    Object.assign(entry, { goal: current, version: current.version, lost: [] });
    this.unblock(entry);
    if (keep === "theirs") {
      entry.pending = {};
      entry.delete = false;
      this.persist();
      this.setState(entry, "saved");
      return null;
    }
    return entry;
  }

  // -- what a live change does (live-sheet.js) ------------------------------------------------

  /** Something of this page the server has not confirmed: typed, in flight, or a delete. */
  hasLocalEdits(entry) {
    return entry.needsSend || entry.sending;
  }

  /** Changed elsewhere and nothing of mine waits: take the server's goal as it is now. */
  follow(entry, goal) {
    Object.assign(entry, { id: goal.id, version: goal.version, goal });
    this._emit(entry, entry.state, { refreshed: true });
  }

  /**
   * Changed elsewhere to just what waits here: our own write whose answer was lost (the notice
   * came before the resend), or the same edit made elsewhere. Nothing is left to send, so it
   * is no conflict: the goal follows the server.
   */
  settle(entry, goal) {
    Object.assign(entry, { pending: {}, retryAt: null });
    this.confirm(entry, goal);
    this._emit(entry, entry.state, { refreshed: true });
    this.persist();
  }

  /**
   * Changed elsewhere to our own write whose answer was lost (exactly one version on, holding
   * what a lost update carried), while newer edits wait: no conflict. The goal takes that
   * version; what it does not hold yet stays pending and goes at its retry as an update of it.
   */
  ownWriteSeen(entry, goal) {
    entry.pending = unapplied(entry.pending, goal);
    this.confirm(entry, goal);
    this._emit(entry, entry.state, { refreshed: true });
    this.persist();
  }

  /** Changed elsewhere while my edits wait: the conflict now, not at the next save. */
  conflictWith(entry, current) {
    const message = `Changed elsewhere (now version ${current.version})`;
    this.block(entry, message, {
      __typename: "GoalVersionConflict",
      clientId: entry.clientId,
      code: "VERSION_CONFLICT",
      message,
      retryable: false,
      current,
      live: true, // seen in a live change, not in a save's answer
    });
  }

  /** A goal with something new to send shows `pending` (an `error` stays until unblocked). */
  markEdited(entry) {
    if (!entry.sending && entry.state !== "error") this.setState(entry, "pending");
  }

  /** Let a goal in `error` be sent again, with a fresh count of attempts. */
  unblock(entry, { clearConflict = true } = {}) {
    if (!entry.blocked) return;
    if (!clearConflict && entry.inConflict) return;
    Object.assign(entry, { blocked: false, attempts: 0, retryAt: null, problem: null });
    if (!entry.sending) this.setState(entry, "pending");
  }

  // -- what a save cycle does -----------------------------------------------------------------

  /** The pending patch (or the delete) goes into the request; newer edits pend anew. */
  take(entry) {
    entry.sentDelete = entry.delete && entry.id !== null;
    entry.sent = entry.sentDelete ? {} : entry.pending;
    entry.pending = {};
    entry.retryAt = null;
    entry.everSent = true;
    this.setState(entry, "saving");
  }

  /** The request is answered: returns what it carried (the patch, whether a delete). */
  finish(entry) {
    const sent = entry.sent ?? {};
    const sentDelete = entry.sentDelete;
    entry.sent = null;
    entry.sentDelete = false;
    return { sent, sentDelete };
  }

  /** Put a failed patch back under any newer edits: nothing typed is lost. */
  restore(entry, sent) {
    entry.pending = { ...sent, ...entry.pending };
  }

  /**
   * An update got no answer: it may have been written. Remembered apart from newer edits, so
   * a resend that conflicts with it can tell our own write from someone else's.
   */
  answerLost(entry, sent) {
    entry.lost.push({ ...sent });
  }

  /** Saved: later edits become updates of this id with `expectedVersion`. */
  confirm(entry, goal) {
    Object.assign(entry, { id: goal.id, version: goal.version, goal, attempts: 0, blocked: false });
    entry.lost = [];
    this.setState(entry, entry.needsSend ? "pending" : "saved");
  }

  /** Deleted on the server: the goal leaves the table. */
  forget(entry) {
    this._goals.delete(entry.key);
    const previous = entry.state;
    Object.assign(entry, { state: "saved", message: null, problem: null });
    this._emit(entry, previous, { deleted: true });
  }

  countAttempt(entry) {
    entry.attempts += 1;
    return entry.attempts;
  }

  /** A retryable failure: the goal stays `pending` and is due again at `at`. */
  retryLater(entry, at, message, problem) {
    entry.retryAt = at;
    this.setState(entry, "pending", message, problem);
  }

  /** A failure retrying cannot fix: `error` until an edit, `retry()` or a resolution. */
  block(entry, message, problem) {
    entry.blocked = true;
    this.setState(entry, "error", message, problem);
  }

  // -- events ---------------------------------------------------------------------------------

  setState(entry, state, message = null, problem = null) {
    const previous = entry.state;
    const changed = previous !== state || entry.message !== message;
    Object.assign(entry, { state, message, problem });
    if (changed) this._emit(entry, previous);
  }

  /** Tell subscribers a goal came back from storage while the page was open. */
  announceRestored(key) {
    const entry = this._goals.get(key);
    if (entry) this._emit(entry, entry.state, { restored: true });
  }

  _emit(entry, previous, { deleted = false, restored = false, refreshed = false } = {}) {
    const event = {
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
    for (const listener of [...this._listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error("autosave listener failed", error); // a UI bug must not stop saving
      }
    }
  }

  // -- persistence ----------------------------------------------------------------------------

  /** Keep every goal not yet confirmed in storage, so a reload can resend it. */
  persist() {
    this._unsaved.save([...this._goals.values()].filter((e) => e.needsSend || e.sending));
  }

  /**
   * Bring back what this tab, a dead tab or an earlier version left in storage; resolves to
   * their keys. `announce(keys)` hears of entries adopted later, when a tab open now dies.
   */
  async restoreStored(announce) {
    const keys = [];
    await this._unsaved.restore(
      (records) => keys.push(...this._adopt(records)),
      (records) => announce(this._adopt(records)),
    );
    return [...new Set(keys)];
  }

  /** No more adopting of other tabs' entries (the saver is closed). */
  stopRestoring() {
    this._unsaved.stop();
  }

  /** Stored records become pending edits, and are kept under this tab's key at once. */
  _adopt(records) {
    for (const record of records) this._restoreOne(record);
    this.persist();
    return records.map((r) => r.key);
  }

  _restoreOne(record) {
    let entry = this._goals.get(record.key);
    if (!entry) {
      entry = new TrackedGoal({
        key: record.key,
        category: record.category,
        clientId: record.clientId,
      });
      this._goals.set(record.key, entry);
    }
    // The stored version is the one these edits were based on: keep it for expectedVersion.
    if (record.id) Object.assign(entry, { id: record.id, version: record.version });
    entry.everSent = entry.everSent || Boolean(record.everSent);
    entry.pending = { ...record.patch, ...entry.pending };
    entry.delete = entry.delete || Boolean(record.delete);
    this.setState(entry, "pending");
  }
}
