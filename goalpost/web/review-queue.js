/**
 * A supervisor's decisions, sent like auto-save sends edits (docs/autosave.md, docs/review.md): decisions made
 * within one cycle go out as ONE `reviewGoals` request.
 *
 * - `decide` only records; a later decision on the same goal replaces one not yet sent.
 * - A cycle starts after `debounceMs` without decisions, or `maxWaitMs` after the first unsent
 *   one, whichever comes first; `flush()` starts it now. At most one request is in flight:
 *   decisions made meanwhile wait for the next cycle.
 * - Each item carries the goal's `expectedVersion`, so a goal that changed since the page
 *   loaded it comes back as a conflict instead of being decided blindly.
 * - Each result goes to `onResult(goalId, result)`. Decisions a failed request or a retryable
 *   item failure did not decide stay queued (`error` state) and go out with the next cycle or
 *   `flush()` ("Send decisions"); a request refused for good reports its items failed.
 * - With `storage` (a TabStorage, tab-storage.js), every decision not answered yet — queued or
 *   in flight — is kept in localStorage until its answer came, so a crash or a killed tab loses
 *   none: `restore()` takes in those of this tab's earlier queue and of tabs that are gone (and
 *   later those of tabs open now, if they die first) and sends them at once, exactly one tab
 *   each, with their expectedVersion. (A decision the server took but whose answer was lost
 *   then comes back as a version conflict: the app tells it apart, see review.js.)
 */

const DEFAULTS = { debounceMs: 800, maxWaitMs: 5000, maxBatch: 200 };
const DECISIONS = new Set(["APPROVE", "RETURN"]);

let decisionCount = 0;

/** Unique across tabs too: decisions adopted from several tabs may go out in one request. */
function newClientId() {
  const unique = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;
  return `decision-${unique}-${++decisionCount}`.slice(0, 64);
}

/** A stored decision, if it is one, as an item to send (nothing else from storage is sent). */
export function storedDecision(record) {
  const { clientId, goalId, expectedVersion, decision, comment } = record ?? {};
  const usable =
    typeof clientId === "string" &&
    typeof goalId === "string" &&
    (expectedVersion === null || Number.isInteger(expectedVersion)) &&
    DECISIONS.has(decision) &&
    (comment === null || typeof comment === "string");
  return usable ? { clientId, goalId, expectedVersion, decision, comment } : null;
}

export class ReviewQueue {
  /**
   * @param {object} options
   * @param {(items: object[], opts: {keepalive?: boolean}) => Promise<{results: object[]}>}
   *   options.send one `reviewGoals` request; throws an error with `code` and `retryable`
   * @param {(goalId: string, state: string, message?: string) => void} options.onState
   *   `pending`, `sending`, `error` (kept, not sent yet) or `idle` (cancelled)
   * @param {(goalId: string, result: object) => void} options.onResult one per item sent
   * @param {() => void} [options.onIdle] a request was answered and none is in flight
   * @param {import("./tab-storage.js").TabStorage|null} [options.storage] keeps what is unanswered
   */
  constructor({
    send,
    onState,
    onResult,
    onIdle = () => {},
    storage = null,
    now = () => Date.now(),
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (handle) => clearTimeout(handle),
    ...options
  }) {
    Object.assign(this, { send, onState, onResult, onIdle, storage, now, setTimer, clearTimer });
    this.options = { ...DEFAULTS, ...definedOnly(options) };
    this.pending = new Map(); // goalId -> item, in decision order
    this.failed = new Set(); // goalIds queued again after a failed request: no timer of their own
    this.inFlight = null;
    this.sending = []; // the items of the request in flight
    this.timer = null;
    this.firstAt = null;
    this.lastAt = null;
    this.closed = false;
  }

  get size() {
    return this.pending.size;
  }

  /** Queue a decision on a goal at the version the page showed. */
  decide(goal, decision, comment = null) {
    if (this.closed) return;
    this.pending.delete(goal.id); // a newer decision goes to the back, like a new edit
    this.failed.delete(goal.id);
    this.pending.set(goal.id, {
      clientId: newClientId(),
      goalId: goal.id,
      expectedVersion: goal.version,
      decision,
      comment,
    });
    this.onState(goal.id, "pending");
    this._persist();
    const now = this.now();
    this.lastAt = now;
    this.firstAt ??= now;
    this._arm();
  }

  /** Take back a decision not sent yet. */
  cancel(goalId) {
    if (!this.pending.delete(goalId)) return;
    this.failed.delete(goalId);
    this.onState(goalId, "idle");
    this._persist();
    if (this.pending.size === 0) this._disarm();
  }

  /**
   * Take in the decisions a tab that is gone (or this tab's earlier queue) left unanswered, and
   * send them now; those of tabs open now follow if such a tab dies. A goal decided here
   * already keeps this page's decision.
   */
  async restore() {
    if (!this.storage || this.closed) return;
    const adopt = (records) => {
      if (this.closed) return;
      for (const item of records.map(storedDecision)) {
        if (!item || this.pending.has(item.goalId)) continue;
        if (this.sending.some((sent) => sent.goalId === item.goalId)) continue;
        this.pending.set(item.goalId, item);
        this.onState(item.goalId, "pending");
      }
      this._persist();
    };
    // Nothing to wait for: these decisions are old already. All found now go out together.
    await this.storage.restore(adopt, (records) => {
      adopt(records);
      if (!this.closed) this._cycle();
    });
    if (!this.closed) this._cycle();
  }

  /** The queued decision on a goal (`APPROVE`/`RETURN`), or null. */
  decisionOn(goalId) {
    return this.pending.get(goalId)?.decision ?? null;
  }

  /** Send everything queued now, and wait until it is answered (a second cycle included). */
  async flush() {
    while (this.inFlight) await this.inFlight;
    if (this.pending.size) await this._cycle();
    while (this.inFlight) await this.inFlight;
  }

  /** The page is going away: send what is queued with keepalive, without waiting. */
  flushOnHide() {
    if (this.inFlight || this.pending.size === 0) return;
    this._cycle({ keepalive: true });
  }

  /** Flush, then accept nothing more (an org or period switch, sign-out). */
  async close() {
    await this.flush();
    this.closed = true;
    this._disarm();
    this.storage?.stop(); // what could not be sent stays stored, for when the user comes back
  }

  // -- the cycle --------------------------------------------------------------------------------

  _arm() {
    this._disarm();
    // Decisions that failed are sent with the next cycle or flush(), never on a timer of their
    // own: a server that keeps failing is not asked again every debounce.
    if (this.inFlight || this.pending.size === this.failed.size) return;
    const { debounceMs, maxWaitMs } = this.options;
    const due = Math.min(this.lastAt + debounceMs, this.firstAt + maxWaitMs);
    this.timer = this.setTimer(() => {
      this.timer = null;
      this._cycle();
    }, Math.max(0, due - this.now()));
  }

  _disarm() {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  _cycle(opts = {}) {
    if (this.inFlight || this.pending.size === 0) return this.inFlight;
    this._disarm();
    const items = [...this.pending.values()].slice(0, this.options.maxBatch);
    for (const item of items) {
      this.pending.delete(item.goalId);
      this.failed.delete(item.goalId);
      this.onState(item.goalId, "sending");
    }
    if (this.pending.size === 0) this.firstAt = null;
    this.sending = items;
    this.inFlight = this._send(items, opts).finally(() => {
      this.inFlight = null;
      this.sending = [];
      this._persist(); // answered items are gone; those queued again stay
      if (this.pending.size) this._arm();
      this.onIdle();
    });
    return this.inFlight;
  }

  async _send(items, opts) {
    let payload;
    try {
      payload = await this.send(items, opts);
    } catch (error) {
      this._failed(items, error);
      return;
    }
    payload.results.forEach((result, index) => {
      const item = items[index];
      if (result.retryable) {
        // SAVE_FAILED, BATCH_REJECTED: nothing was decided, and sending it again may work.
        this._requeue(item, result.message);
      } else {
        this.onResult(item.goalId, { ...result, item });
      }
    });
  }

  /** The whole request failed: nothing was decided. */
  _failed(items, error) {
    for (const item of items) {
      if (error.retryable) this._requeue(item, error.message);
      else this.onResult(item.goalId, { code: error.code, message: error.message, item });
    }
  }

  /** Keep every decision not answered yet; a queued one replaces one in flight on its goal. */
  _persist() {
    if (!this.storage) return;
    const unanswered = new Map(this.sending.map((item) => [item.goalId, item]));
    for (const [goalId, item] of this.pending) unanswered.set(goalId, item);
    this.storage.save([...unanswered.values()]);
  }

  /** Back in the queue, unless a newer decision on the goal is there already. */
  _requeue(item, message) {
    if (this.pending.has(item.goalId)) return;
    this.pending.set(item.goalId, item);
    this.failed.add(item.goalId);
    this.onState(item.goalId, "error", `Not sent: ${message}`);
  }
}

function definedOnly(options) {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
