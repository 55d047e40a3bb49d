/**
 * Auto-save for the goal sheet: docs/autosave.md, the same algorithm as goalpost.client.AutoSaver.
 *
 * - `edit`/`add`/`delete` only record: edits to one goal coalesce into one pending patch
 *   (the later value of a field wins).
 * - A save cycle starts after `debounceMs` without edits, or `maxWaitMs` after the first unsent
 *   edit, whichever comes first. A cycle sends every due goal in ONE `batchSaveGoals` request,
 *   and only one request is ever in flight: edits made meanwhile wait for the next cycle.
 * - Each result updates only its own goal: a saved create records the server id and version, so
 *   later edits go out as updates with `expectedVersion`; retryable failures come back after an
 *   exponential backoff with jitter (capped attempts); validation failures wait for the next
 *   edit of that goal; a version conflict waits in `error` with the server's `current` goal.
 * - Everything not yet confirmed lives in localStorage, so a reload resends it (safe: a create
 *   is idempotent by clientId, and an update answered by our own write is recognised). Each
 *   tab keeps its own entries, and adopts those of tabs that are gone (autosave-storage.js).
 * - The clock, the timers and the jitter are options, so the algorithm can run on fake time.
 *
 * Where each part lives: autosave-state.js (the per-goal state machine), autosave-pump.js (the
 * timing), autosave-transport.js (the request and what its answers mean), autosave-storage.js
 * (unsaved edits in localStorage). This module is the `AutoSaver` the page calls, wired to them,
 * and the org slug cache.
 */

import { patchApplied } from "./autosave-patches.js";
import { Backoff, SavePump } from "./autosave-pump.js";
import { TrackedGoals, newClientId } from "./autosave-state.js";
import { UnsavedEdits } from "./autosave-storage.js";
import { SaveTransport } from "./autosave-transport.js";

export { backoffDelay } from "./autosave-pump.js";
export { PATCH_FIELD, newClientId } from "./autosave-state.js";
export { patchApplied } from "./autosave-patches.js";

export const DEFAULT_OPTIONS = Object.freeze({
  debounceMs: 800,
  maxWaitMs: 5000,
  maxAttempts: 5,
  backoffBaseMs: 500,
  backoffMaxMs: 30000,
  maxBatch: 200,
});

/** Thrown by `edit`/`add`/`delete` on a saver closed by an org or period switch. */
export class SaverClosed extends Error {
  constructor(message) {
    super(message);
    this.name = "SaverClosed";
  }
}

export class AutoSaver {
  /**
   * @param {object} options
   * @param {{batchSave: function(string, string, object[]): Promise<{results: object[]}>}}
   *   options.transport `batchSave(orgSlug, periodId, items)` sends one batch; it throws an
   *   error with `retryable` (and `code`) when the request fails
   * @param {string} options.orgSlug
   * @param {string} options.periodId
   * @param {Storage|null} [options.storage] where unconfirmed edits survive a reload
   * @param {string|null} [options.storageKey]
   */
  constructor({
    transport,
    orgSlug,
    periodId,
    storage = null,
    storageKey = null,
    now = () => Date.now(),
    random = Math.random,
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (handle) => clearTimeout(handle),
    ...options
  }) {
    this.transport = transport;
    this.orgSlug = orgSlug;
    this.periodId = periodId;
    this.storage = storage;
    this.storageKey = storageKey;
    this.options = { ...DEFAULT_OPTIONS, ...definedOnly(options) };
    this.closed = false;
    // The parts read the settings above from this saver at each use: one place to configure.
    this._goals = new TrackedGoals(new UnsavedEdits(this));
    this._sender = new SaveTransport(this._goals, this, new Backoff(this, now));
    this._pump = new SavePump(this._goals, this, this._sender, {
      now,
      random,
      setTimer,
      clearTimer,
    });
  }

  // -- what the app calls ---------------------------------------------------------------------

  /** Make a goal loaded from the server editable; its clientId is its key. */
  track(goal) {
    return this._goals.track(goal);
  }

  /** A new goal; its key is also its clientId (the server's idempotency key). */
  add(category, patch = {}, key = newClientId()) {
    this._checkOpen();
    this._touch(this._goals.add(key, category, patch));
    return key;
  }

  /** Record a change; later values of a field win over earlier ones not yet sent. */
  edit(key, patch) {
    this._checkOpen();
    this._touch(this._goals.edit(key, patch));
  }

  /** Delete a goal; one never sent to the server is simply forgotten. */
  delete(key) {
    this._checkOpen();
    const entry = this._goals.delete(key);
    if (entry) this._touch(entry);
  }

  /** Send goals in `error` again (a toast's Retry): one goal, or all of them. */
  retry(key = null) {
    this._checkOpen();
    const entries = key === null ? [...this._goals] : [this._goals.get(key)];
    for (const entry of entries) {
      if (!entry.blocked) continue;
      this._goals.unblock(entry, { clearConflict: false });
      this._touch(entry);
    }
  }

  /** After a version conflict: resend my edits over the server's version, or drop them. */
  resolveConflict(key, keep) {
    this._checkOpen();
    const entry = this._goals.resolveConflict(key, keep);
    if (entry) this._touch(entry);
  }

  /**
   * A live change (docs/live.md): the server's goal as it is now, or null when it was deleted.
   * With nothing of this page waiting, the saver takes it (an event with `refreshed: true`,
   * or `deleted: true`) and later edits go out with its version; with edits waiting, they are
   * held in a version conflict at once, for the person to keep theirs or take the server's,
   * unless the server holds them already (its own write whose answer was lost: `settle`).
   * A goal whose request is in flight is left to that request's answer. Returns what it did:
   * `known` (that version or a newer one is here already), `later`, `followed`, `conflict`
   * or `kept` (deleted elsewhere while edited here: its save will say so).
   */
  changedElsewhere(key, goal) {
    if (this.closed || !this._goals.has(key)) return "later";
    const goals = this._goals;
    const entry = goals.get(key);
    if (entry.sending || entry.id === null) return "later";
    if (goal && entry.version !== null && goal.version <= entry.version) return "known";
    if (!goals.hasLocalEdits(entry)) {
      if (goal) goals.follow(entry, goal);
      else goals.forget(entry);
      return "followed";
    }
    if (!goal) return "kept";
    if (!entry.delete && patchApplied(entry.pending, goal)) {
      goals.settle(entry, goal);
      return "followed";
    }
    const oneOn = entry.version !== null && goal.version === entry.version + 1;
    if (!entry.delete && oneOn && entry.lost.some((lost) => patchApplied(lost, goal))) {
      goals.ownWriteSeen(entry, goal); // the edits typed since still go, as an update of it
      return "followed";
    }
    if (entry.inConflict && entry.problem.current?.version >= goal.version) return "known";
    goals.conflictWith(entry, goal);
    goals.persist();
    return "conflict";
  }

  /**
   * Resend what this tab, a tab that is gone or an earlier version left in localStorage;
   * resolves to the keys it brought back. Entries of tabs open now come back if those tabs
   * die first: each such goal is then an event with `restored: true`, and is resent at once.
   */
  async restore() {
    const keys = await this._goals.restoreStored((adopted) => this._adopted(adopted));
    // Nothing to wait for: these edits are old already.
    if (keys.length > 0 && !this.closed) this._pump.flushNow();
    return keys;
  }

  _adopted(keys) {
    if (this.closed) return;
    for (const key of new Set(keys)) this._goals.announceRestored(key);
    this._pump.flushNow();
  }

  /** Send everything pending now; resolves when it is saved or has failed for good. */
  flush() {
    if (this.closed) return Promise.resolve();
    return this._pump.flush();
  }

  /**
   * The page is being hidden or closed: start a cycle now. The transport sends it with
   * `fetch(..., {keepalive: true})`, so it outlives the page; if a request is already in
   * flight, its successor starts as soon as it returns (and localStorage keeps the rest).
   */
  flushOnHide() {
    if (this.closed) return;
    this._pump.flushNow();
  }

  /** Flush, then stop: later edits throw SaverClosed instead of reaching this org. */
  async close() {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this._goals.stopRestoring();
      this._pump.stop();
    }
  }

  subscribe(listener) {
    return this._goals.subscribe(listener);
  }

  state(key) {
    return this._goals.get(key).snapshot();
  }

  states() {
    return this._goals.snapshots();
  }

  has(key) {
    return this._goals.has(key);
  }

  get inFlight() {
    return this._pump.inFlight;
  }

  /** Requests sent so far: one per save cycle. */
  get requestsSent() {
    return this._sender.requestsSent;
  }

  set requestsSent(value) {
    this._sender.requestsSent = value;
  }

  // -- bookkeeping ----------------------------------------------------------------------------

  _checkOpen() {
    if (this.closed) throw new SaverClosed(`this auto-saver for org ${this.orgSlug} is closed`);
  }

  /** An edit: (re)start the debounce window, show `pending`, keep it, and reschedule. */
  _touch(entry) {
    this._pump.noteEdit();
    this._goals.markEdited(entry);
    this._goals.persist();
    this._pump.schedule();
  }
}

function definedOnly(object) {
  return Object.fromEntries(
    Object.entries(object).filter(([, v]) => v !== undefined && v !== null),
  );
}

// -- org slug cache ---------------------------------------------------------------------------

const orgCache = new Map();

/**
 * The org context (name, competencies, periods) for a slug, fetched once and reused: period
 * changes inside an org cost no request. `load(slug)` fetches it.
 */
export function orgContext(slug, load) {
  if (!orgCache.has(slug)) {
    const promise = load(slug);
    orgCache.set(slug, promise);
    promise.catch(() => orgCache.delete(slug)); // a failed lookup is not remembered
  }
  return orgCache.get(slug);
}

export function clearOrgSlugCache() {
  orgCache.clear();
}

export function cachedOrgSlugs() {
  return [...orgCache.keys()];
}

/**
 * Switch orgs safely: flush and close the old org's saver FIRST, then forget every cached org
 * context, then load the new one. Closing is what makes later edits unable to reach the old org.
 */
export async function switchOrg(saver, slug, load) {
  if (saver) await saver.close();
  clearOrgSlugCache();
  return orgContext(slug, load);
}
