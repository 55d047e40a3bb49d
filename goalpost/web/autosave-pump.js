/**
 * The pump of the sheet's auto-save: *when* a save cycle starts, and that only one request is
 * ever in flight (the same split as goalpost/client/autosave/pump.py).
 *
 * It owns the timing and nothing else: the edit window (a cycle starts after `debounceMs`
 * without edits, or `maxWaitMs` after the first unsent edit, whichever comes first), the retry
 * times of failed goals (exponential backoff with jitter), the one timer, and the promises the
 * app waits on (`flush`). Edits made while a request is in flight wait for the next cycle. The
 * clock, the timers and the jitter are injected, so the algorithm runs on fake time.
 */

/** Exponential backoff, capped, scaled by a jitter in [0.5, 1) so clients spread out. */
export function backoffDelay(attempt, baseMs, capMs, jitter) {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1)) * (0.5 + jitter / 2);
}

/** When a goal whose request failed may be sent again, or that it is time to give up. */
export class Backoff {
  /** `settings` is the AutoSaver: its `options` are read at each use. */
  constructor(settings, now) {
    this._settings = settings;
    this._now = now;
  }

  /** Due now: for goals whose request failed because of another goal, not their own. */
  atOnce() {
    return this._now();
  }

  /** The time of the next attempt after `attempt` failed ones; null after the last one. */
  retryAt(attempt, jitter) {
    const { maxAttempts, backoffBaseMs, backoffMaxMs } = this._settings.options;
    if (attempt >= maxAttempts) return null;
    return this._now() + backoffDelay(attempt, backoffBaseMs, backoffMaxMs, jitter);
  }
}

/**
 * Starts each save cycle when it is due and sends it through the transport.
 * `settings` is the AutoSaver: its `options` and `closed` are read at each use.
 */
export class SavePump {
  constructor(goals, settings, transport, { now, random, setTimer, clearTimer }) {
    this._goals = goals;
    this._settings = settings;
    this._transport = transport;
    this._now = now;
    this._random = random;
    this._setTimer = setTimer;
    this._clearTimer = clearTimer;
    this._waiters = [];
    this._timer = null;
    this._windowStart = null;
    this._lastEdit = 0;
    this._flushRequested = false;
    this._inFlight = false;
  }

  get inFlight() {
    return this._inFlight;
  }

  // -- what the saver calls -------------------------------------------------------------------

  /** An edit (re)starts the debounce window; the first unsent one starts `maxWaitMs`. */
  noteEdit() {
    const now = this._now();
    if (this._windowStart === null) this._windowStart = now;
    this._lastEdit = now;
  }

  /** Make everything due now, without waiting for the window. */
  flushNow() {
    this._flushRequested = true;
    this.schedule();
  }

  /** Everything due now; resolves when it is saved or has failed for good. */
  flush() {
    this.flushNow();
    return this._until(() => this._settled());
  }

  /** No more cycles: drop the timer and release whoever waits. */
  stop() {
    this._clearTimer(this._timer);
    this._timer = null;
    this._resolveWaiters(true);
  }

  /** Start a cycle if one is due, else arm the timer for the next one. */
  schedule() {
    this._clearTimer(this._timer);
    this._timer = null;
    if (this._settings.closed || this._inFlight) return; // the response will call us again
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
      this._timer = this._setTimer(() => this.schedule(), Math.max(0, next - now));
  }

  // -- when -----------------------------------------------------------------------------------

  _windowDueAt() {
    if (this._windowStart === null) return null;
    const { debounceMs, maxWaitMs } = this._settings.options;
    return Math.min(this._lastEdit + debounceMs, this._windowStart + maxWaitMs);
  }

  /** The goals a cycle starting now would send, and whether the edit window is due. */
  _due(now) {
    const windowAt = this._windowDueAt();
    const windowDue = this._flushRequested || (windowAt !== null && windowAt <= now);
    const due = [...this._goals].filter(
      (e) =>
        e.eligible && (this._flushRequested || (e.retryAt !== null ? e.retryAt <= now : windowDue)),
    );
    return { due, windowDue };
  }

  /** When something becomes due, if nothing edits meanwhile. */
  _nextWake(now) {
    const eligible = [...this._goals].filter((e) => e.eligible);
    const times = eligible.filter((e) => e.retryAt !== null).map((e) => e.retryAt);
    if (eligible.some((e) => e.retryAt === null)) times.push(this._windowDueAt() ?? now);
    return times.length ? Math.min(...times) : null;
  }

  _settled() {
    return !this._inFlight && ![...this._goals].some((e) => e.eligible);
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
    const batch = due.slice(0, this._settings.options.maxBatch);
    if (batch.length === due.length) {
      if (windowDue) this._windowStart = null;
      this._flushRequested = false;
    }
    for (const entry of batch) this._goals.take(entry);
    this._goals.persist();
    const jitter = this._random();
    this._inFlight = true;
    try {
      const payload = await this._transport.send(batch);
      this._transport.applyResults(batch, payload, jitter);
    } catch (error) {
      this._transport.requestFailed(batch, error, jitter);
    } finally {
      this._inFlight = false;
      this._goals.persist();
      this.schedule();
    }
  }
}
