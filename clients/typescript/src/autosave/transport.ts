/**
 * One save cycle as one `batchSaveGoals` request, and what each answer means for its own goal
 * (the same split as goalpost/client/autosave/transport.py; docs/autosave.md, "Results").
 * No timing and no events: the pump decides when, the state machine records the outcome.
 */
import type { BatchSaveGoalsPayload, GoalSaveResult, RequestOptions } from "../client.js";
import { isGoalpostError } from "../errors.js";
import type { GoalBatchItemInput } from "../generated/graphql.js";
import { PATCH_FIELD, patchApplied, unapplied, type AnyPatch } from "./patches.js";
import type { Goal, GoalProblem, TrackedGoal, TrackedGoals } from "./state.js";

/** What the saver needs of a GoalpostClient. */
export interface BatchSaver {
  batchSaveGoals(input: {
    orgSlug: string;
    periodId: string;
    items: GoalBatchItemInput[];
  }, options?: RequestOptions): Promise<BatchSaveGoalsPayload>;
}

/** When a failed goal may be sent again: a time, or null after the last attempt. */
export interface Backoff {
  atOnce(): number;
  retryAt(attempt: number, jitter: number): number | null;
}

/** The GoalBatchItemInput for what is in flight: a create, a delete or an update. */
export function saveItem(entry: TrackedGoal): GoalBatchItemInput {
  const patch = { [PATCH_FIELD[entry.category]]: entry.sent ?? {} };
  if (entry.id === null) {
    return { clientId: entry.clientId, ...patch };
  }
  return {
    clientId: entry.clientId,
    id: entry.id,
    ...(entry.version === null ? {} : { expectedVersion: entry.version }),
    ...(entry.sentDelete ? { delete: true } : patch),
  };
}

/**
 * The batch items a BAD_USER_INPUT names (`extensions.inputPath` = `["input", "items", i, …]`),
 * each with what was wrong; empty when it names none (then the whole request failed).
 */
export function badItems(error: unknown, count: number): Map<number, string> {
  const bad = new Map<number, string>();
  if (!isGoalpostError(error) || error.code !== "BAD_USER_INPUT") {
    return bad;
  }
  for (const e of error.errors) {
    const path = e.extensions?.inputPath;
    if (!Array.isArray(path)) {
      continue;
    }
    const index: unknown = path[2];
    if (path[1] !== "items" || !Number.isInteger(index) || (index as number) < 0 || (index as number) >= count) {
      continue;
    }
    const where = path.slice(3).join(".");
    const reason = e.message.split(": ").slice(1).join(": ") || e.message;
    if (!bad.has(index as number)) {
      bad.set(index as number, where ? `${where}: ${reason}` : reason);
    }
  }
  return bad;
}

/** No answer came (no connection, or an HTTP answer without GraphQL data): unlike a GraphQL
 * error, the request may have been written. */
export function answerLost(error: unknown): boolean {
  return isGoalpostError(error) && error.code === "NETWORK";
}

/**
 * Whether a version conflict is with our own write whose answer was lost: the server holds all
 * that was sent, or, exactly one version on, all that one of the lost updates carried (the
 * resend may carry edits made since, which the server cannot hold yet).
 */
export function ownWrite(entry: TrackedGoal, sent: AnyPatch, current: Goal): boolean {
  if (patchApplied(sent, current)) {
    return true;
  }
  const oneOn = entry.version !== null && current.version === entry.version + 1;
  return oneOn && entry.lost.some((lost) => patchApplied(lost, current));
}

function problemOf(result: Exclude<GoalSaveResult, { __typename: "GoalSaved" | "GoalDeleted" }>): GoalProblem {
  const { code, message, retryable } = result;
  switch (result.__typename) {
    case "GoalValidationFailed":
      return { code, message, retryable, fieldErrors: result.fieldErrors };
    case "GoalVersionConflict":
      return { code, message, retryable, current: result.current };
    default:
      return { code, message, retryable };
  }
}

/** Sends the goals of one cycle and applies each answer to its own goal. */
export class SaveTransport {
  requestsSent = 0;

  constructor(
    private readonly goals: TrackedGoals,
    private readonly client: BatchSaver,
    private readonly target: { readonly orgSlug: string; readonly periodId: string },
    private readonly backoff: Backoff,
  ) {}

  /** One `batchSaveGoals` for the batch; the client's fetch starts before this returns. */
  send(batch: readonly TrackedGoal[], keepalive: boolean): Promise<BatchSaveGoalsPayload> {
    this.requestsSent += 1;
    const { orgSlug, periodId } = this.target;
    const input = { orgSlug, periodId, items: batch.map(saveItem) };
    return keepalive ? this.client.batchSaveGoals(input, { keepalive }) : this.client.batchSaveGoals(input);
  }

  applyResults(batch: readonly TrackedGoal[], payload: BatchSaveGoalsPayload, jitter: number): void {
    if (payload.results.length !== batch.length) {
      throw new Error(`the server answered ${String(payload.results.length)} results for ${String(batch.length)} items`);
    }
    batch.forEach((entry, i) => {
      const result = payload.results[i];
      if (result) {
        this.apply(entry, result, jitter);
      }
    });
  }

  /**
   * The request failed as a whole (or its answer was unreadable): every goal still waiting.
   * A BAD_USER_INPUT that names items fails only those; the others are due again at once.
   */
  requestFailed(batch: readonly TrackedGoal[], error: unknown, jitter: number): void {
    const bad = badItems(error, batch.length);
    batch.forEach((entry, index) => {
      if (!entry.sending) {
        return;
      }
      const { sent, sentDelete } = this.goals.finish(entry);
      if (answerLost(error) && entry.id !== null && !sentDelete) {
        this.goals.answerLost(entry, sent);
      }
      this.goals.restore(entry, sent);
      if (bad.size > 0) {
        const reason = bad.get(index);
        if (reason === undefined) {
          this.goals.retryLater(entry, this.backoff.atOnce(), null, null); // not its fault
        } else {
          const message = `BAD_USER_INPUT: ${reason}`;
          this.goals.block(entry, message, { code: "BAD_USER_INPUT", message, retryable: false });
        }
        return;
      }
      // Unknown failures (a bug, a broken proxy) are retried like network faults.
      const code = isGoalpostError(error) ? error.code : "NETWORK";
      const message = error instanceof Error ? error.message : String(error);
      const retryable = isGoalpostError(error) ? error.retryable : true;
      this.fail(entry, { code, message: `${code}: ${message}`, retryable }, jitter);
    });
  }

  private apply(entry: TrackedGoal, result: GoalSaveResult, jitter: number): void {
    const { sent, sentDelete } = this.goals.finish(entry);
    if (result.__typename === "GoalSaved") {
      this.goals.confirm(entry, result.goal);
    } else if (result.__typename === "GoalDeleted" || (result.__typename === "GoalNotFound" && sentDelete)) {
      this.goals.forget(entry); // a resent delete whose answer was lost finds the goal gone
    } else if (result.__typename === "GoalVersionConflict" && !sentDelete && ownWrite(entry, sent, result.current)) {
      this.ownWriteMet(entry, sent, result.current);
    } else {
      this.goals.restore(entry, sent);
      this.fail(entry, problemOf(result), jitter);
    }
  }

  /** A resend conflicted with our own write whose answer was lost: saved at the server's
   * version; what the resend carried beyond that write goes out at once as an update of it. */
  private ownWriteMet(entry: TrackedGoal, sent: AnyPatch, current: Goal): void {
    const rest = unapplied(sent, current);
    this.goals.restore(entry, rest);
    this.goals.confirm(entry, current);
    if (Object.keys(rest).length > 0) {
      this.goals.retryLater(entry, this.backoff.atOnce(), null, null);
    }
  }

  /** Retryable failures come back after a backoff, until the last attempt; others wait. */
  private fail(entry: TrackedGoal, problem: GoalProblem, jitter: number): void {
    let message = problem.message;
    if (problem.retryable) {
      const attempt = this.goals.countAttempt(entry);
      const retryAt = this.backoff.retryAt(attempt, jitter);
      if (retryAt !== null) {
        this.goals.retryLater(entry, retryAt, `${message} (retrying)`, problem);
        return;
      }
      message = `${message} (gave up after ${String(attempt)} attempts)`;
    }
    this.goals.block(entry, message, problem);
  }
}
