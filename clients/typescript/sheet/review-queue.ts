/**
 * A supervisor's decisions, sent like auto-save sends edits (docs/autosave.md, docs/review.md):
 * decisions made within one cycle go out as ONE `reviewGoals` request.
 *
 * - `decide` only records; a later decision on the same goal replaces one not yet sent.
 * - A cycle starts after `debounceMs` without decisions, or `maxWaitMs` after the first unsent
 *   one, whichever comes first; `flush()` starts it now. At most one request is in flight:
 *   decisions made meanwhile wait for the next cycle.
 * - Each item carries the goal's `expectedVersion`, so a goal that changed since the page
 *   loaded it comes back as a conflict instead of being decided blindly.
 * - Each result goes to `onResult(goalId, outcome)`. Decisions a failed request or a retryable
 *   item failure did not decide stay queued (`error` state) and go out with the next cycle or
 *   `flush()` ("Send decisions"); a request refused for good reports its items failed.
 * - With `storage` (the package's TabStorage), every decision not answered yet — queued or in
 *   flight — is kept in localStorage until its answer came, so a crash or a killed tab loses
 *   none: `restore()` takes in those of this tab's earlier queue and of tabs that are gone (and
 *   later those of tabs open now, if they die first) and sends them at once, exactly one tab
 *   each, with their expectedVersion. (A decision the server took but whose answer was lost
 *   then comes back as a version conflict: the team view tells it apart, see review.ts.)
 */
import {
  isGoalpostError,
  type GoalReviewDecision,
  type GoalReviewResult,
  type RequestOptions,
  type TabStorage,
} from "@goalpost/client";

/** One decision as it is sent (a `GoalReviewItemInput`) and as storage keeps it. */
export interface StoredDecision {
  readonly clientId: string;
  readonly goalId: string;
  readonly expectedVersion: number | null;
  readonly decision: GoalReviewDecision;
  readonly comment: string | null;
}

/** A whole request that failed for good: each of its decisions gets this as its result. */
export interface RequestFailed {
  readonly __typename: "RequestFailed";
  readonly code: string;
  readonly message: string;
  readonly retryable: false;
}

/** What became of one decision sent, with the decision itself. */
export type ReviewOutcome = (GoalReviewResult | RequestFailed) & { readonly item: StoredDecision };

/** `pending` (queued), `sending`, `error` (kept, not sent yet) or `idle` (cancelled). */
export type DecisionState = "idle" | "pending" | "sending" | "error";

/** One `reviewGoals` request; throws a GoalpostError (with `code` and `retryable`). */
export type SendDecisions = (
  items: StoredDecision[],
  options: RequestOptions,
) => Promise<{ readonly results: readonly GoalReviewResult[] }>;

export interface ReviewQueueOptions {
  readonly send: SendDecisions;
  readonly onState: (goalId: string, state: DecisionState, message?: string) => void;
  /** One per item sent. */
  readonly onResult: (goalId: string, outcome: ReviewOutcome) => void;
  /** A request was answered and none is in flight. */
  readonly onIdle?: () => void;
  /** Keeps what is unanswered. */
  readonly storage?: TabStorage<StoredDecision> | null;
  readonly now?: () => number;
  readonly setTimer?: (callback: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
  readonly debounceMs?: number | undefined;
  readonly maxWaitMs?: number | undefined;
  readonly maxBatch?: number | undefined;
}

const DEFAULTS = { debounceMs: 800, maxWaitMs: 5000, maxBatch: 200 };
const DECISIONS: ReadonlySet<unknown> = new Set<GoalReviewDecision>(["APPROVE", "RETURN"]);

let decisionCount = 0;

/** Unique across tabs too: decisions adopted from several tabs may go out in one request.
 * `crypto.randomUUID` exists only in secure contexts: over plain HTTP, random bytes instead. */
function newClientId(): string {
  decisionCount += 1;
  const crypto = globalThis.crypto as Partial<Crypto> & Pick<Crypto, "getRandomValues">;
  const unique =
    typeof crypto.randomUUID === "function"
      ? crypto.randomUUID()
      : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  return `decision-${unique}-${String(decisionCount)}`.slice(0, 64);
}

/** Whether a stored record is a decision this queue can send (nothing else from storage is). */
export function isStoredDecision(record: unknown): record is StoredDecision {
  if (typeof record !== "object" || record === null) {
    return false;
  }
  const { clientId, goalId, expectedVersion, decision, comment } = record as Partial<Record<keyof StoredDecision, unknown>>;
  return (
    typeof clientId === "string" &&
    typeof goalId === "string" &&
    (expectedVersion === null || Number.isInteger(expectedVersion)) &&
    DECISIONS.has(decision) &&
    (comment === null || typeof comment === "string")
  );
}

/** A stored decision, if it is one, as an item to send (only its own fields). */
export function storedDecision(record: unknown): StoredDecision | null {
  if (!isStoredDecision(record)) {
    return null;
  }
  const { clientId, goalId, expectedVersion, decision, comment } = record;
  return { clientId, goalId, expectedVersion, decision, comment };
}

export class ReviewQueue {
  private readonly send: SendDecisions;
  private readonly onState: ReviewQueueOptions["onState"];
  private readonly onResult: ReviewQueueOptions["onResult"];
  private readonly onIdle: () => void;
  private readonly storage: TabStorage<StoredDecision> | null;
  private readonly now: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly options: { debounceMs: number; maxWaitMs: number; maxBatch: number };
  /** goalId -> item, in decision order. */
  private readonly pending = new Map<string, StoredDecision>();
  /** goalIds queued again after a failed request: no timer of their own. */
  private readonly failed = new Set<string>();
  /** The request in flight, if any. */
  inFlight: Promise<void> | null = null;
  /** The items of the request in flight. */
  private sending: StoredDecision[] = [];
  private timer: unknown = null;
  private firstAt: number | null = null;
  private lastAt: number | null = null;
  private closed = false;

  constructor(options: ReviewQueueOptions) {
    this.send = options.send;
    this.onState = options.onState;
    this.onResult = options.onResult;
    this.onIdle = options.onIdle ?? (() => undefined);
    this.storage = options.storage ?? null;
    this.now = options.now ?? (() => Date.now());
    this.setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.clearTimer =
      options.clearTimer ??
      ((handle) => {
        clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
      });
    this.options = {
      debounceMs: options.debounceMs ?? DEFAULTS.debounceMs,
      maxWaitMs: options.maxWaitMs ?? DEFAULTS.maxWaitMs,
      maxBatch: options.maxBatch ?? DEFAULTS.maxBatch,
    };
  }

  /** How many decisions are queued (not in flight). */
  get size(): number {
    return this.pending.size;
  }

  /** Queue a decision on a goal at the version the page showed. */
  decide(goal: { readonly id: string; readonly version: number }, decision: GoalReviewDecision, comment: string | null = null): void {
    if (this.closed) {
      return;
    }
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
    this.persist();
    const now = this.now();
    this.lastAt = now;
    this.firstAt ??= now;
    this.arm();
  }

  /** Take back a decision not sent yet. */
  cancel(goalId: string): void {
    if (!this.pending.delete(goalId)) {
      return;
    }
    this.failed.delete(goalId);
    this.onState(goalId, "idle");
    this.persist();
    if (this.pending.size === 0) {
      this.disarm();
    }
  }

  /**
   * Take in the decisions a tab that is gone (or this tab's earlier queue) left unanswered, and
   * send them now; those of tabs open now follow if such a tab dies. A goal decided here
   * already keeps this page's decision.
   */
  async restore(): Promise<void> {
    const storage = this.storage;
    if (!storage || this.closed) {
      return;
    }
    const adopt = (records: readonly StoredDecision[]): void => {
      if (this.closed) {
        return;
      }
      for (const item of records.map(storedDecision)) {
        if (!item || this.pending.has(item.goalId)) {
          continue;
        }
        if (this.sending.some((sent) => sent.goalId === item.goalId)) {
          continue;
        }
        this.pending.set(item.goalId, item);
        this.onState(item.goalId, "pending");
      }
      this.persist();
    };
    // Nothing to wait for: these decisions are old already. All found now go out together.
    await storage.restore(adopt, (records) => {
      adopt(records);
      if (!this.closed) {
        void this.cycle();
      }
    });
    if (!this.isClosed()) {
      void this.cycle(); // (closed meanwhile: what was adopted stays stored)
    }
  }

  /** The queued decision on a goal (`APPROVE`/`RETURN`), or null. */
  decisionOn(goalId: string): GoalReviewDecision | null {
    return this.pending.get(goalId)?.decision ?? null;
  }

  /** Send everything queued now, and wait until it is answered (a second cycle included). */
  async flush(): Promise<void> {
    await this.answered();
    if (this.pending.size) {
      await this.cycle();
    }
    await this.answered();
  }

  /** The page is going away: send what is queued with keepalive, without waiting. */
  flushOnHide(): void {
    if (this.inFlight || this.pending.size === 0) {
      return;
    }
    void this.cycle({ keepalive: true });
  }

  /** Flush, then accept nothing more (an org or period switch, sign-out). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.disarm();
    this.storage?.stop(); // what could not be sent stays stored, for when the user comes back
  }

  /** Until no request is in flight (one may follow another). */
  private async answered(): Promise<void> {
    for (let current = this.inFlight; current; current = this.inFlight) {
      await current;
    }
  }

  /** Read through a call: `close()` may have run during an await. */
  private isClosed(): boolean {
    return this.closed;
  }

  // -- the cycle --------------------------------------------------------------------------------

  private arm(): void {
    this.disarm();
    // Decisions that failed are sent with the next cycle or flush(), never on a timer of their
    // own: a server that keeps failing is not asked again every debounce.
    if (this.inFlight || this.pending.size === this.failed.size) {
      return;
    }
    const { debounceMs, maxWaitMs } = this.options;
    // Only adopted decisions (none decided here yet): nothing to wait for, they are due now.
    const due = Math.min((this.lastAt ?? 0) + debounceMs, (this.firstAt ?? 0) + maxWaitMs);
    const now = this.now();
    this.timer = this.setTimer(
      () => {
        this.timer = null;
        void this.cycle();
      },
      Math.max(0, due - now),
    );
  }

  private disarm(): void {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
    }
    this.timer = null;
  }

  private cycle(options: RequestOptions = {}): Promise<void> | null {
    if (this.inFlight || this.pending.size === 0) {
      return this.inFlight;
    }
    this.disarm();
    const items = [...this.pending.values()].slice(0, this.options.maxBatch);
    for (const item of items) {
      this.pending.delete(item.goalId);
      this.failed.delete(item.goalId);
      this.onState(item.goalId, "sending");
    }
    if (this.pending.size === 0) {
      this.firstAt = null;
    }
    this.sending = items;
    this.inFlight = this.sendNow(items, options).finally(() => {
      this.inFlight = null;
      this.sending = [];
      this.persist(); // answered items are gone; those queued again stay
      if (this.pending.size) {
        this.arm();
      }
      this.onIdle();
    });
    return this.inFlight;
  }

  private async sendNow(items: StoredDecision[], options: RequestOptions): Promise<void> {
    let payload: Awaited<ReturnType<SendDecisions>>;
    try {
      payload = await this.send(items, options);
    } catch (error) {
      this.requestFailed(items, error);
      return;
    }
    payload.results.forEach((result, index) => {
      const item = items[index];
      if (!item) {
        return;
      }
      if (result.__typename !== "GoalReviewed" && result.retryable) {
        // SAVE_FAILED, BATCH_REJECTED: nothing was decided, and sending it again may work.
        this.requeue(item, result.message);
      } else {
        this.onResult(item.goalId, { ...result, item });
      }
    });
  }

  /** The whole request failed: nothing was decided. */
  private requestFailed(items: readonly StoredDecision[], error: unknown): void {
    const known = isGoalpostError(error);
    const message = error instanceof Error ? error.message : String(error);
    const code = known ? error.code : "UNKNOWN";
    for (const item of items) {
      if (known && error.retryable) {
        this.requeue(item, message);
      } else {
        this.onResult(item.goalId, { __typename: "RequestFailed", code, message, retryable: false, item });
      }
    }
  }

  /** Keep every decision not answered yet; a queued one replaces one in flight on its goal. */
  private persist(): void {
    if (!this.storage) {
      return;
    }
    const unanswered = new Map(this.sending.map((item) => [item.goalId, item]));
    for (const [goalId, item] of this.pending) {
      unanswered.set(goalId, item);
    }
    this.storage.save([...unanswered.values()]);
  }

  /** Back in the queue, unless a newer decision on the goal is there already. */
  private requeue(item: StoredDecision, message: string): void {
    if (this.pending.has(item.goalId)) {
      return;
    }
    this.pending.set(item.goalId, item);
    this.failed.add(item.goalId);
    this.onState(item.goalId, "error", `Not sent: ${message}`);
  }
}
