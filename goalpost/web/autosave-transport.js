/**
 * The transport side of the sheet's auto-save: one save cycle as one `batchSaveGoals` request,
 * and what each answer means for its own goal (the same split as
 * goalpost/client/autosave/transport.py).
 *
 * It owns the wire: the `GoalBatchItemInput` of each goal taken into the cycle, the call to the
 * API object's `batchSave`, and reading each result back: saved, deleted, our own write answered
 * after a lost response, or a failure to retry (after a backoff) or to show. It has no timing and
 * no event plumbing: the pump decides when, the state machine records the outcome.
 */

import { patchApplied, unapplied } from "./autosave-patches.js";
import { PATCH_FIELD } from "./autosave-state.js";

/** The GoalBatchItemInput for what is in flight: create, delete or update. */
export function saveItem(entry) {
  const item = { clientId: entry.clientId };
  if (entry.id === null) {
    item[PATCH_FIELD[entry.category]] = entry.sent;
    return item;
  }
  item.id = entry.id;
  if (entry.version !== null) item.expectedVersion = entry.version;
  if (entry.sentDelete) item.delete = true;
  else item[PATCH_FIELD[entry.category]] = entry.sent;
  return item;
}

/**
 * The batch items a BAD_USER_INPUT names (`extensions.inputPath` = `[variable, "items", i, …]`),
 * each with what was wrong; empty when it names none (then the whole request failed).
 */
export function badItems(error, count) {
  const bad = new Map();
  if (error?.code !== "BAD_USER_INPUT") return bad;
  for (const e of error.errors ?? []) {
    const path = e?.extensions?.inputPath ?? [];
    const index = path[2];
    if (path[1] !== "items" || !Number.isInteger(index) || index < 0 || index >= count) continue;
    const where = path.slice(3).join(".");
    const reason = String(e.message ?? "").split(": ").slice(1).join(": ") || String(e.message);
    if (!bad.has(index)) bad.set(index, where ? `${where}: ${reason}` : reason);
  }
  return bad;
}

/**
 * Sends the goals of one save cycle and applies each answer to its own goal. `settings` is the
 * AutoSaver: its `transport` (the API: `batchSave(orgSlug, periodId, items)`), `orgSlug` and
 * `periodId` are read at each use.
 */
/** No answer came (no connection, or an HTTP error with no GraphQL answer): the request
 * may have been written, unlike one the server answered with a GraphQL error. */
function answerLost(error) {
  const code = error?.code ?? "";
  return code === "NETWORK" || code.startsWith("HTTP_");
}

/**
 * Whether a version conflict is with our own write whose answer was lost: the server holds all
 * that was sent, or, exactly one version on, all that one of the lost updates carried (the
 * resend may carry edits made since, which the server cannot hold yet).
 */
function ownWrite(entry, sent, current) {
  if (patchApplied(sent, current)) return true;
  const oneOn = entry.version !== null && current.version === entry.version + 1;
  return oneOn && entry.lost.some((lost) => patchApplied(lost, current));
}

export class SaveTransport {
  constructor(goals, settings, backoff) {
    this._goals = goals;
    this._settings = settings;
    this._backoff = backoff;
    this.requestsSent = 0;
  }

  /** One `batchSaveGoals` for the batch; the API's promise, so nothing waits before it goes. */
  send(batch) {
    const { transport, orgSlug, periodId } = this._settings;
    this.requestsSent += 1;
    return transport.batchSave(orgSlug, periodId, batch.map(saveItem));
  }

  applyResults(batch, payload, jitter) {
    batch.forEach((entry, i) => this._apply(entry, payload.results[i], jitter));
  }

  /**
   * The request failed as a whole (or its answer was unreadable): every goal still waiting.
   * A BAD_USER_INPUT that names items fails only those; the others are due again at once.
   */
  requestFailed(batch, error, jitter) {
    const bad = badItems(error, batch.length);
    batch.forEach((entry, index) => {
      if (!entry.sending) return;
      const { sent, sentDelete } = this._goals.finish(entry);
      if (answerLost(error) && entry.id !== null && !sentDelete) this._goals.answerLost(entry, sent);
      this._goals.restore(entry, sent);
      if (bad.size > 0) {
        if (bad.has(index)) this._goals.block(entry, `BAD_USER_INPUT: ${bad.get(index)}`, null);
        else this._goals.retryLater(entry, this._backoff.atOnce(), null, null); // not its fault
        return;
      }
      // Unknown failures (a bug, a broken proxy) are retried like network faults.
      const retryable = typeof error?.retryable === "boolean" ? error.retryable : true;
      const message = error?.code
        ? `${error.code}: ${error.message}`
        : String(error?.message ?? error);
      this._fail(entry, message, retryable, null, jitter);
    });
  }

  _apply(entry, result, jitter) {
    if (!result) throw new Error("the server answered fewer results than items");
    const goals = this._goals;
    const { sent, sentDelete } = goals.finish(entry);
    const kind = result.__typename;
    if (kind === "GoalSaved") {
      goals.confirm(entry, result.goal);
    } else if (kind === "GoalDeleted" || (result.code === "NOT_FOUND" && sentDelete)) {
      goals.forget(entry); // a resent delete whose answer was lost finds the goal gone
    } else if (
      result.code === "VERSION_CONFLICT" &&
      result.current &&
      !sentDelete &&
      ownWrite(entry, sent, result.current)
    ) {
      // Our own write, whose answer was lost: saved at the server's version; what the resend
      // carried beyond that write goes out at once as an update of it.
      const rest = unapplied(sent, result.current);
      goals.restore(entry, rest);
      goals.confirm(entry, result.current);
      if (Object.keys(rest).length > 0) goals.retryLater(entry, this._backoff.atOnce(), null, null);
    } else {
      goals.restore(entry, sent);
      this._fail(entry, result.message, result.retryable, result, jitter);
    }
  }

  /** Retryable failures come back after a backoff, until the last attempt; others wait. */
  _fail(entry, message, retryable, problem, jitter) {
    if (retryable) {
      const attempt = this._goals.countAttempt(entry);
      const retryAt = this._backoff.retryAt(attempt, jitter);
      if (retryAt !== null) {
        this._goals.retryLater(entry, retryAt, `${message} (retrying)`, problem);
        return;
      }
      message = `${message} (gave up after ${attempt} attempts)`;
    }
    this._goals.block(entry, message, problem);
  }
}
