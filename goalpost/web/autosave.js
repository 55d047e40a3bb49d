/**
 * Auto-save for the goal sheet: SPEC §7, the same algorithm as goalpost.client.AutoSaver.
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
 *   is idempotent by clientId, and an update answered by our own write is recognised).
 * - The clock, the timers and the jitter are options, so the algorithm can run on fake time.
 */

export const DEFAULT_OPTIONS = Object.freeze({
  debounceMs: 800,
  maxWaitMs: 5000,
  maxAttempts: 5,
  backoffBaseMs: 500,
  backoffMaxMs: 30000,
  maxBatch: 200,
});

export const PATCH_FIELD = Object.freeze({
  PERFORMANCE: "performance",
  COMPETENCY: "competency",
  CORE_VALUE: "coreValue",
});

/** Thrown by `edit`/`add`/`delete` on a saver closed by an org or period switch. */
export class SaverClosed extends Error {
  constructor(message) {
    super(message);
    this.name = "SaverClosed";
  }
}

/** Exponential backoff, capped, scaled by a jitter in [0.5, 1) so clients spread out. */
export function backoffDelay(attempt, baseMs, capMs, jitter) {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1)) * (0.5 + jitter / 2);
}

export function newClientId() {
  const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;
  return `tmp-${random.replaceAll("-", "").slice(0, 16)}`;
}

function normalizeSelections(value) {
  const byCompetency = {};
  for (const s of value ?? []) byCompetency[s.competencyId] = [...s.actions].sort();
  return JSON.stringify(
    Object.keys(byCompetency)
      .sort()
      .map((k) => [k, byCompetency[k]]),
  );
}

function sameValue(field, sent, have) {
  if (field === "selectedIdealActions")
    return normalizeSelections(sent) === normalizeSelections(have);
  if (field === "weight") return Number(sent ?? 0) === Number(have ?? 0); // a cleared weight is 0
  if (Array.isArray(sent)) return JSON.stringify(sent) === JSON.stringify(have ?? []);
  return (sent ?? null) === (have ?? null);
}

/**
 * True when the goal already holds every value of the patch. After a lost response the resend
 * of an update conflicts with our own write; this tells that case apart from a real conflict.
 */
export function patchApplied(patch, goal) {
  return Object.entries(patch).every(([field, value]) => sameValue(field, value, goal[field]));
}

function isEmpty(object) {
  return Object.keys(object).length === 0;
}

class Entry {
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

  /** Fields typed but not confirmed by the server: in flight, then newer edits on top. */
  get unsaved() {
    return { ...(this.sent ?? {}), ...this.pending };
  }

  /** The GoalBatchItemInput for what is in flight: create, delete or update. */
  item() {
    const item = { clientId: this.clientId };
    if (this.id === null) {
      item[PATCH_FIELD[this.category]] = this.sent;
      return item;
    }
    item.id = this.id;
    if (this.version !== null) item.expectedVersion = this.version;
    if (this.sentDelete) item.delete = true;
    else item[PATCH_FIELD[this.category]] = this.sent;
    return item;
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

  /** What localStorage keeps: enough to resend after a reload. */
  stored() {
    const { key, category, clientId, id, version, everSent } = this;
    return {
      key,
      category,
      clientId,
      id,
      version,
      everSent,
      delete: this.delete,
      patch: this.unsaved,
    };
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
    this._now = now;
    this._random = random;
    this._setTimer = setTimer;
    this._clearTimer = clearTimer;
    this._entries = new Map();
    this._listeners = new Set();
    this._waiters = [];
    this._timer = null;
    this._windowStart = null;
    this._lastEdit = 0;
    this._flushRequested = false;
    this._inFlight = false;
    this.closed = false;
    this.requestsSent = 0;
  }

  // -- what the app calls ---------------------------------------------------------------------

  /** Make a goal loaded from the server editable; its clientId is its key. */
  track(goal) {
    const key = goal.clientId;
    const entry = this._entries.get(key);
    if (entry && (entry.needsSend || entry.sending)) {
      // Local edits win. A create restored after a reload whose goal exists already: adopt
      // the server's id, so the edits go out as an update of that goal.
      if (entry.id === null && !entry.sending) {
        Object.assign(entry, { id: goal.id, version: goal.version, goal });
      }
      return key;
    }
    const tracked = new Entry({
      key,
      category: goal.category,
      clientId: goal.clientId,
      id: goal.id,
      version: goal.version,
      goal,
    });
    this._entries.set(key, tracked);
    return key;
  }

  /** A new goal; its key is also its clientId (the server's idempotency key). */
  add(category, patch = {}, key = newClientId()) {
    this._checkOpen();
    if (!PATCH_FIELD[category]) throw new Error(`unknown category ${category}`);
    if (this._entries.has(key)) throw new Error(`goal key ${key} is already in use`);
    const entry = new Entry({ key, category, clientId: key });
    Object.assign(entry.pending, patch);
    this._entries.set(key, entry);
    this._touch(entry);
    return key;
  }

  /** Record a change; later values of a field win over earlier ones not yet sent. */
  edit(key, patch) {
    this._checkOpen();
    const entry = this._entry(key);
    if (entry.delete) throw new Error(`goal ${key} is being deleted`);
    Object.assign(entry.pending, patch);
    // A new edit is the user's answer to a validation error, not to a conflict.
    if (entry.problem?.code !== "VERSION_CONFLICT") this._unblock(entry);
    this._touch(entry);
  }

  /** Delete a goal; one never sent to the server is simply forgotten. */
  delete(key) {
    this._checkOpen();
    const entry = this._entry(key);
    if (entry.id === null && !entry.everSent && !entry.sending) {
      this._entries.delete(key);
      this._persist();
      this._emit(entry, entry.state, { deleted: true });
      return;
    }
    entry.delete = true;
    this._unblock(entry);
    this._touch(entry);
  }

  /** Send goals in `error` again (a toast's Retry): one goal, or all of them. */
  retry(key = null) {
    this._checkOpen();
    const entries = key === null ? [...this._entries.values()] : [this._entry(key)];
    for (const entry of entries) {
      if (!entry.blocked) continue;
      this._unblock(entry, { clearConflict: false });
      this._touch(entry);
    }
  }

  /** After a version conflict: resend my edits over the server's version, or drop them. */
  resolveConflict(key, keep) {
    this._checkOpen();
    const entry = this._entry(key);
    const current = entry.problem?.current;
    if (!current) throw new Error(`goal ${key} has no version conflict`);
    Object.assign(entry, { goal: current, version: current.version });
    this._unblock(entry);
    if (keep === "theirs") {
      entry.pending = {};
      entry.delete = false;
      this._persist();
      this._setState(entry, "saved");
      return;
    }
    this._touch(entry);
  }

  /** Resend what a previous page left in localStorage; returns the keys it brought back. */
  restore() {
    const records = this._readStorage();
    for (const record of records) this._restoreOne(record);
    if (records.length > 0) {
      this._flushRequested = true; // nothing to wait for: these edits are old already
      this._schedule();
    }
    return records.map((r) => r.key);
  }

  /** Send everything pending now; resolves when it is saved or has failed for good. */
  flush() {
    if (this.closed) return Promise.resolve();
    this._flushRequested = true;
    this._schedule();
    return this._until(() => this._settled());
  }

  /**
   * The page is being hidden or closed: start a cycle now. The transport sends it with
   * `fetch(..., {keepalive: true})`, so it outlives the page; if a request is already in
   * flight, its successor starts as soon as it returns (and localStorage keeps the rest).
   */
  flushOnHide() {
    if (this.closed) return;
    this._flushRequested = true;
    this._schedule();
  }

  /** Flush, then stop: later edits throw SaverClosed instead of reaching this org. */
  async close() {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this._clearTimer(this._timer);
      this._timer = null;
      this._resolveWaiters(true);
    }
  }

  subscribe(listener) {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  state(key) {
    return this._entry(key).snapshot();
  }

  states() {
    return new Map([...this._entries].map(([key, entry]) => [key, entry.snapshot()]));
  }

  has(key) {
    return this._entries.has(key);
  }

  get inFlight() {
    return this._inFlight;
  }

  // -- bookkeeping ----------------------------------------------------------------------------

  _checkOpen() {
    if (this.closed) throw new SaverClosed(`this auto-saver for org ${this.orgSlug} is closed`);
  }

  _entry(key) {
    const entry = this._entries.get(key);
    if (!entry) throw new Error(`unknown goal key ${key}; add() or track() it first`);
    return entry;
  }

  /** An edit: (re)start the debounce window and reschedule. */
  _touch(entry) {
    const now = this._now();
    if (this._windowStart === null) this._windowStart = now;
    this._lastEdit = now;
    if (!entry.sending && entry.state !== "error") this._setState(entry, "pending");
    this._persist();
    this._schedule();
  }

  _unblock(entry, { clearConflict = true } = {}) {
    if (!entry.blocked) return;
    if (!clearConflict && entry.problem?.code === "VERSION_CONFLICT") return;
    Object.assign(entry, { blocked: false, attempts: 0, retryAt: null, problem: null });
    if (!entry.sending) this._setState(entry, "pending");
  }

  _setState(entry, state, message = null, problem = null) {
    const previous = entry.state;
    const changed = previous !== state || entry.message !== message;
    Object.assign(entry, { state, message, problem });
    if (changed) this._emit(entry, previous);
  }

  _emit(entry, previous, { deleted = false } = {}) {
    const event = {
      key: entry.key,
      state: entry.state,
      previous,
      message: entry.message,
      problem: entry.problem,
      goal: entry.goal,
      deleted,
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

  _persist() {
    if (!this.storage || !this.storageKey) return;
    const records = [...this._entries.values()]
      .filter((e) => e.needsSend || e.sending)
      .map((e) => e.stored());
    try {
      if (records.length === 0) this.storage.removeItem(this.storageKey);
      else this.storage.setItem(this.storageKey, JSON.stringify(records));
    } catch (error) {
      console.warn("could not keep unsaved edits in storage", error); // quota, private mode
    }
  }

  _readStorage() {
    if (!this.storage || !this.storageKey) return [];
    try {
      const records = JSON.parse(this.storage.getItem(this.storageKey) ?? "[]");
      return Array.isArray(records)
        ? records.filter((r) => r && r.key && PATCH_FIELD[r.category])
        : [];
    } catch {
      return [];
    }
  }

  _restoreOne(record) {
    let entry = this._entries.get(record.key);
    if (!entry) {
      entry = new Entry({ key: record.key, category: record.category, clientId: record.clientId });
      this._entries.set(record.key, entry);
    }
    // The stored version is the one these edits were based on: keep it for expectedVersion.
    if (record.id) Object.assign(entry, { id: record.id, version: record.version });
    entry.everSent = entry.everSent || Boolean(record.everSent);
    entry.pending = { ...record.patch, ...entry.pending };
    entry.delete = entry.delete || Boolean(record.delete);
    this._setState(entry, "pending");
  }

  // -- scheduling -----------------------------------------------------------------------------

  _windowDueAt() {
    if (this._windowStart === null) return null;
    const { debounceMs, maxWaitMs } = this.options;
    return Math.min(this._lastEdit + debounceMs, this._windowStart + maxWaitMs);
  }

  /** The goals a cycle starting now would send, and whether the edit window is due. */
  _due(now) {
    const windowAt = this._windowDueAt();
    const windowDue = this._flushRequested || (windowAt !== null && windowAt <= now);
    const due = [...this._entries.values()].filter(
      (e) =>
        e.eligible && (this._flushRequested || (e.retryAt !== null ? e.retryAt <= now : windowDue)),
    );
    return { due, windowDue };
  }

  /** When something becomes due, if nothing edits meanwhile. */
  _nextWake(now) {
    const eligible = [...this._entries.values()].filter((e) => e.eligible);
    const times = eligible.filter((e) => e.retryAt !== null).map((e) => e.retryAt);
    if (eligible.some((e) => e.retryAt === null)) times.push(this._windowDueAt() ?? now);
    return times.length ? Math.min(...times) : null;
  }

  _settled() {
    return !this._inFlight && ![...this._entries.values()].some((e) => e.eligible);
  }

  /** Start a cycle if one is due, else arm the timer for the next one. */
  _schedule() {
    this._clearTimer(this._timer);
    this._timer = null;
    if (this.closed || this._inFlight) return; // the response will call us again
    const now = this._now();
    const { due, windowDue } = this._due(now);
    if (due.length > 0) {
      this._cycle(due, windowDue);
      return;
    }
    this._flushRequested = false;
    this._resolveWaiters();
    const next = this._nextWake(now);
    if (next !== null)
      this._timer = this._setTimer(() => this._schedule(), Math.max(0, next - now));
  }

  _until(predicate) {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => this._waiters.push({ predicate, resolve }));
  }

  _resolveWaiters(all = false) {
    this._waiters = this._waiters.filter((w) => {
      if (!all && !w.predicate()) return true;
      w.resolve();
      return false;
    });
  }

  // -- one save cycle -------------------------------------------------------------------------

  /** Synchronous up to the transport call, so a pagehide handler gets its request out. */
  async _cycle(due, windowDue) {
    const batch = due.slice(0, this.options.maxBatch);
    if (batch.length === due.length) {
      if (windowDue) this._windowStart = null;
      this._flushRequested = false;
    }
    for (const entry of batch) this._take(entry);
    this._persist();
    const jitter = this._random();
    this._inFlight = true;
    this.requestsSent += 1;
    try {
      const items = batch.map((e) => e.item());
      const payload = await this.transport.batchSave(this.orgSlug, this.periodId, items);
      batch.forEach((entry, i) => this._apply(entry, payload.results[i], jitter));
    } catch (error) {
      for (const entry of batch.filter((e) => e.sending)) this._requestFailed(entry, error, jitter);
    } finally {
      this._inFlight = false;
      this._persist();
      this._schedule();
    }
  }

  _take(entry) {
    entry.sentDelete = entry.delete && entry.id !== null;
    entry.sent = entry.sentDelete ? {} : entry.pending;
    entry.pending = {};
    entry.retryAt = null;
    entry.everSent = true;
    this._setState(entry, "saving");
  }

  _finish(entry) {
    const sent = entry.sent ?? {};
    const sentDelete = entry.sentDelete;
    entry.sent = null;
    entry.sentDelete = false;
    return { sent, sentDelete };
  }

  /** Put a failed patch back under any newer edits: nothing typed is lost. */
  _restore(entry, sent) {
    entry.pending = { ...sent, ...entry.pending };
  }

  _apply(entry, result, jitter) {
    if (!result) throw new Error("the server answered fewer results than items");
    const { sent, sentDelete } = this._finish(entry);
    const kind = result.__typename;
    if (kind === "GoalSaved") {
      this._confirm(entry, result.goal);
    } else if (kind === "GoalDeleted" || (result.code === "NOT_FOUND" && sentDelete)) {
      this._forget(entry); // a resent delete whose answer was lost finds the goal gone
    } else if (
      result.code === "VERSION_CONFLICT" &&
      result.current &&
      !sentDelete &&
      patchApplied(sent, result.current)
    ) {
      this._confirm(entry, result.current); // our own write, whose answer was lost
    } else {
      this._restore(entry, sent);
      this._fail(entry, result.message, result.retryable, result, jitter);
    }
  }

  _requestFailed(entry, error, jitter) {
    const { sent } = this._finish(entry);
    this._restore(entry, sent);
    // Unknown failures (a bug, a broken proxy) are retried like network faults.
    const retryable = typeof error?.retryable === "boolean" ? error.retryable : true;
    const message = error?.code
      ? `${error.code}: ${error.message}`
      : String(error?.message ?? error);
    this._fail(entry, message, retryable, null, jitter);
  }

  _confirm(entry, goal) {
    Object.assign(entry, { id: goal.id, version: goal.version, goal, attempts: 0, blocked: false });
    this._setState(entry, entry.needsSend ? "pending" : "saved");
  }

  _forget(entry) {
    this._entries.delete(entry.key);
    const previous = entry.state;
    Object.assign(entry, { state: "saved", message: null, problem: null });
    this._emit(entry, previous, { deleted: true });
  }

  _fail(entry, message, retryable, problem, jitter) {
    if (retryable) {
      entry.attempts += 1;
      const { maxAttempts, backoffBaseMs, backoffMaxMs } = this.options;
      if (entry.attempts < maxAttempts) {
        entry.retryAt =
          this._now() + backoffDelay(entry.attempts, backoffBaseMs, backoffMaxMs, jitter);
        this._setState(entry, "pending", `${message} (retrying)`, problem);
        return;
      }
      message = `${message} (gave up after ${entry.attempts} attempts)`;
    }
    entry.blocked = true;
    this._setState(entry, "error", message, problem);
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
