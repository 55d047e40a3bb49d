/**
 * `LiveChanges`: the period's live changes (docs/live.md), the `goalChanged` subscription over
 * graphql-transport-ws (the `graphql-ws` library), with reconnection and catch-up, so that no
 * change is missed across a drop. The goal sheet and the AutoSaver's live mode both use it.
 *
 * graphql-ws holds the socket: `connection_init` with the token, answers to the server's pings,
 * and reconnection (`retryAttempts: Infinity`), subscribing again on every new socket. It does
 * that silently (a notice sent while the socket was down is simply never seen), so this class
 * adds, on top:
 * - once a socket is acknowledged again, the changes made while it was down are read with
 *   `goalChanges(after: <last cursor>)` and delivered before the notices that came meanwhile,
 *   so nothing is missed; with no cursor yet (or one the server refuses, BAD_CURSOR) `onResync`
 *   asks the caller to read everything again instead;
 * - a socket the server closed with 1013 LIVE_OVERFLOW (it fell behind) is opened again at once,
 *   with no backoff, and caught up the same way; any other drop waits an exponential backoff
 *   with jitter;
 * - a refused token (4401, 4403), a refused protocol (4406), an `error` message or a `next`
 *   error that says the subscription itself is wrong stops for good (`error` says why).
 *
 * Two rules graphql-ws cannot express take a few lines here. A subscription the server ends
 * (`complete`: after LIVE_OVERFLOW, or another error) is not subscribed again by the library:
 * it is subscribed again on the same socket (at once after LIVE_OVERFLOW) and caught up. And a
 * close graphql-ws counts as fatal whatever `shouldRetry` says (1008 TOO_MANY_SOCKETS, 1011,
 * 4400, 4409, 4429, 4500 ...) is worth another try: a new client after the backoff.
 */
import { createClient, type Client, type FormattedExecutionResult } from "graphql-ws/client";

import { socketError, type GoalChangeNotice, type GoalpostClient, type PeriodRef } from "./client.js";
import { isGoalpostError, type GoalpostError } from "./errors.js";
import { backoffDelay } from "./autosave/pump.js";
import {
  GoalChangedDocument,
  GoalChangesSinceDocument,
  type GoalChangedSubscription,
  type GoalChangesSinceQuery,
} from "./generated/graphql.js";

/** One change, from the socket or read back while catching up. */
export type LiveNotice = Omit<GoalChangeNotice, "__typename">;

/** Where live changes are: `connecting`, `live`, `retrying` (after a drop) or `stopped`. */
export type LiveState = "connecting" | "live" | "retrying" | "stopped";

/** What live changes need of a GoalpostClient (which has all of it). */
export interface LiveSource {
  /** The WebSocket endpoint. */
  readonly wsUrl: string;
  /** A WebSocket class where there is no global one (Node: `import WebSocket from "ws"`). */
  readonly webSocketImpl?: unknown;
  /** The `connection_init` payload (the token), asked for on every connection. */
  connectionParams(): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Runs the catch-up query, `GoalChangesSince`. */
  execute: GoalpostClient["execute"];
}

// Closed for good: a refused token (4401, 4403) or a refused protocol (4406). Anything else
// (a restart, a dropped network, LIVE_OVERFLOW) is worth another try.
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403, 4406]);
// The server closes a socket that fell too far behind with 1013 LIVE_OVERFLOW (docs/live.md):
// nothing is wrong with the server, so connect again at once and catch up.
const OVERFLOW_CLOSE_CODE = 1013;
const OVERFLOW_REASON = "LIVE_OVERFLOW";
// An error in a `next` that says the subscription itself is wrong: trying again cannot help.
const FINAL_ERROR_CODES: ReadonlySet<string> = new Set(["ORG_NOT_FOUND", "PERIOD_NOT_FOUND", "UNAUTHENTICATED"]);

export interface LiveChangesOptions extends PeriodRef {
  /** The socket's endpoint and token, and the catch-up reads: a GoalpostClient. */
  readonly client: LiveSource;
  /** Each change, from the socket or from catch-up, in feed order. */
  readonly onNotice: (notice: LiveNotice) => void;
  /** Reconnected without a cursor it can catch up from: read everything again. */
  readonly onResync?: () => void;
  readonly onState?: (state: LiveState) => void;
  /** The WebSocket endpoint; default: the client's `wsUrl`. */
  readonly url?: string;
  /** A WebSocket class; default: the client's `webSocketImpl`, else the global one. */
  readonly webSocketImpl?: unknown;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** The jitter's source, in [0, 1). */
  readonly random?: () => number;
  /** The timers of its waits (default: the global ones): an AutoSaver passes its clock's, so a
   * saver on virtual time reconnects on virtual time too. */
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
}

interface CloseLike {
  readonly code: number;
  readonly reason: string;
}

/**
 * The period's live changes, caught up after every drop: `new LiveChanges({ client, orgSlug,
 * periodId, onNotice, onResync }).start()`, `close()` when done (docs/live.md, "The clients").
 */
export class LiveChanges {
  /** The last change seen: catch-up starts after it. */
  cursor: string | null = null;
  /** Acknowledged connections so far; more than one is a reconnection. */
  connections = 0;
  /** Sockets (or subscriptions) the server ended with LIVE_OVERFLOW, each caught up. */
  overflows = 0;
  state: LiveState = "stopped";
  /** Why it stopped for good (a refused token, org or period); null while it goes on. */
  error: GoalpostError | null = null;

  private readonly options: LiveChangesOptions;
  private readonly url: string;
  private readonly closing = new AbortController();
  private closed = false;
  private client: Client | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Which client the graphql-ws callbacks are for: an old one's last words are ignored. */
  private clientGeneration = 0;
  /** Which subscription a sink's callbacks are for. */
  private subscriptionGeneration = 0;
  /** Which stream a catch-up reads for: a drop or a new subscription ends an older one. */
  private streamGeneration = 0;
  /** Notices that arrived while catching up, delivered after it. */
  private catchingUp: LiveNotice[] | null = null;
  /** The last socket closed with LIVE_OVERFLOW: the next connection does not wait. */
  private overflowed = false;
  /** The error code of the last `next` error: the `complete` that follows says why it ended. */
  private endedWith: string | null = null;
  /** Tries since the last success, for the waits graphql-ws does not time. */
  private attempts = 0;
  private timer: unknown = null;

  constructor(options: LiveChangesOptions) {
    this.options = options;
    this.url = options.url ?? options.client.wsUrl;
  }

  start(): this {
    this.open();
    return this;
  }

  /** Unsubscribe and close the socket; no reconnection after this. */
  close(): void {
    this.stop();
  }

  // -- the socket -------------------------------------------------------------------------------

  /** A graphql-ws client for the socket, and the subscription on it. */
  private open(): void {
    if (this.closed) {
      return;
    }
    const generation = ++this.clientGeneration;
    const current = (): boolean => generation === this.clientGeneration && !this.closed;
    const webSocketImpl = this.options.webSocketImpl ?? this.options.client.webSocketImpl;
    this.client = createClient({
      url: this.url,
      lazy: false, // connect now, and stay connected while a subscription is being renewed
      retryAttempts: Infinity,
      connectionParams: () => this.options.client.connectionParams(),
      shouldRetry: (event) => !(isCloseLike(event) && FINAL_CLOSE_CODES.has(event.code)),
      retryWait: (retries) => this.wait(this.takeOverflowed() ? 0 : this.backoff(retries + 1)),
      onNonLazyError: (error) => {
        if (current()) {
          this.failed(error);
        }
      },
      on: {
        // Runs inside createClient already: `generation`, not `this.client`, tells it is ours.
        connecting: (isRetry) => {
          if (current()) {
            this.setState(isRetry || this.connections > 0 ? "retrying" : "connecting");
          }
        },
        connected: () => {
          if (current()) {
            this.connected();
          }
        },
        closed: (event) => {
          if (current()) {
            this.socketClosed(event);
          }
        },
      },
      ...(webSocketImpl === undefined ? {} : { webSocketImpl }),
    });
    this.subscribe();
  }

  /** Subscribe to `goalChanged` on the current client; graphql-ws renews it on each socket. */
  private subscribe(): void {
    const client = this.client;
    if (this.closed || client === null) {
      return;
    }
    const generation = ++this.subscriptionGeneration;
    const current = (): boolean => generation === this.subscriptionGeneration && !this.closed;
    this.endedWith = null;
    this.unsubscribe = client.subscribe<GoalChangedSubscription>(
      {
        query: GoalChangedDocument.toString(),
        variables: { orgSlug: this.options.orgSlug, periodId: this.options.periodId },
      },
      {
        next: (result) => {
          if (current()) {
            this.next(result);
          }
        },
        // An `error` message (the subscription was refused, or ended by the server's recheck),
        // or a close graphql-ws will not retry.
        error: (error) => {
          if (current()) {
            this.failed(error);
          }
        },
        // The server ended the subscription (a `complete`); ours come when `current()` is false.
        complete: () => {
          if (current()) {
            this.ended();
          }
        },
      },
    );
  }

  private connected(): void {
    this.attempts = 0;
    this.overflowed = false;
    const reconnected = this.connections > 0;
    this.connections += 1;
    this.setState("live");
    if (reconnected) {
      // graphql-ws subscribes again right after this (the subscribe goes out after the ack):
      // notices of the new subscription wait in `catchingUp`, which starts now.
      void this.catchUp();
    }
  }

  private socketClosed(event: unknown): void {
    this.streamGeneration += 1; // a catch-up still reading was for the socket that is gone
    this.catchingUp = null;
    if (!isCloseLike(event) || FINAL_CLOSE_CODES.has(event.code)) {
      return; // not a close (graphql-ws retries errors), or final: `failed` says so
    }
    if (event.code === OVERFLOW_CLOSE_CODE || event.reason === OVERFLOW_REASON) {
      this.overflows += 1;
      this.overflowed = true;
    }
    this.setState("retrying");
  }

  /** graphql-ws gave up on this client: stop, unless the rules above say try again. */
  private failed(error: unknown): void {
    if (isCloseLike(error) && !FINAL_CLOSE_CODES.has(error.code)) {
      // A close graphql-ws counts as fatal (1008 TOO_MANY_SOCKETS, 1011, 4400 ...): another
      // client, after the backoff (another tab may have closed its socket meanwhile).
      this.dropClient();
      this.attempts += 1;
      this.setState("retrying");
      this.later(this.backoff(this.attempts), () => {
        this.open();
      });
      return;
    }
    if (isCloseLike(error)) {
      console.error(`live changes: the server closed the socket (${String(error.code)} ${error.reason})`);
    } else {
      console.error("live changes: the subscription was refused", error);
    }
    this.error = socketError(error);
    this.stop();
  }

  private next(result: FormattedExecutionResult<GoalChangedSubscription, unknown>): void {
    const error = result.errors?.[0];
    if (error) {
      const code = error.extensions?.code;
      this.endedWith = typeof code === "string" ? code : null;
      if (typeof code === "string" && FINAL_ERROR_CODES.has(code)) {
        console.error(`live changes: ${code}: ${error.message}`);
        this.error = socketError(result.errors);
        this.stop();
      }
      return; // the `complete` that follows subscribes again
    }
    const notice = result.data?.goalChanged;
    if (!notice) {
      return;
    }
    this.attempts = 0;
    const { goalId, kind, version, actorId, cursor } = notice;
    if (this.catchingUp) {
      this.catchingUp.push({ goalId, kind, version, actorId, cursor }); // after the missed ones
      return;
    }
    this.deliver({ goalId, kind, version, actorId, cursor });
  }

  /**
   * The server ended the subscription, the socket still open: subscribe again on it (at once
   * after LIVE_OVERFLOW, else after the backoff) and catch up with what came in between.
   */
  private ended(): void {
    this.subscriptionGeneration += 1;
    this.unsubscribe = null;
    this.catchingUp = null;
    this.streamGeneration += 1;
    const overflow = this.endedWith === OVERFLOW_REASON;
    if (overflow) {
      this.overflows += 1;
    } else {
      this.attempts += 1;
      this.setState("retrying");
    }
    this.later(overflow ? 0 : this.backoff(this.attempts), () => {
      void this.catchUp(); // first: the new subscription's notices wait for it
      this.subscribe();
      if (this.state === "retrying") {
        this.setState("live");
      }
    });
  }

  private deliver(notice: LiveNotice): void {
    this.cursor = notice.cursor;
    try {
      this.options.onNotice(notice);
    } catch (error) {
      console.error("live changes: a notice handler failed", error); // the next one may not
    }
  }

  private stop(): void {
    this.closed = true;
    this.closing.abort(); // a retry waiting in `wait` never goes on
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    this.streamGeneration += 1;
    this.catchingUp = null;
    this.dropClient();
    this.setState("stopped");
  }

  /** Unsubscribe (a `complete` to the server) and close this client's socket. */
  private dropClient(): void {
    this.clientGeneration += 1;
    this.subscriptionGeneration += 1;
    const unsubscribe = this.unsubscribe;
    const client = this.client;
    this.unsubscribe = null;
    this.client = null;
    unsubscribe?.();
    if (client !== null) {
      // Closes its socket (1000); nothing is left to tell about it.
      Promise.resolve(client.dispose()).catch(() => undefined);
    }
  }

  private setState(state: LiveState): void {
    this.state = state;
    this.options.onState?.(state);
  }

  // -- timing -----------------------------------------------------------------------------------

  private setTimer(fn: () => void, ms: number): unknown {
    return (this.options.setTimer ?? setTimeout)(fn, ms);
  }

  private clearTimer(handle: unknown): void {
    if (this.options.clearTimer) {
      this.options.clearTimer(handle);
    } else {
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    }
  }

  private backoff(attempt: number): number {
    const { backoffBaseMs = 500, backoffMaxMs = 30_000, random = Math.random } = this.options;
    return backoffDelay(attempt, backoffBaseMs, backoffMaxMs, random());
  }

  private takeOverflowed(): boolean {
    const overflowed = this.overflowed;
    this.overflowed = false;
    return overflowed;
  }

  /** graphql-ws's wait before a retry; after `close()` it never ends, so no socket is opened. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closing.signal.aborted) {
        return;
      }
      const { signal } = this.closing;
      const abort = (): void => {
        this.clearTimer(timer);
      };
      const timer = this.setTimer(() => {
        signal.removeEventListener("abort", abort);
        resolve();
      }, ms);
      signal.addEventListener("abort", abort, { once: true });
    });
  }

  private later(ms: number, run: () => void): void {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
    }
    this.timer = this.setTimer(() => {
      this.timer = null;
      if (!this.closed) {
        run();
      }
    }, ms);
  }

  // -- catching up ------------------------------------------------------------------------------

  /**
   * Read what changed while the socket (or the subscription) was down, then the notices that
   * came meanwhile. A failure closes the socket: the next connection tries again from the same
   * cursor.
   */
  private async catchUp(): Promise<void> {
    const generation = ++this.streamGeneration;
    let after: string | null = this.cursor;
    if (after === null) {
      this.catchingUp = null;
      this.options.onResync?.();
      return;
    }
    const waiting: LiveNotice[] = [];
    this.catchingUp = waiting;
    const { orgSlug, periodId } = this.options;
    try {
      let more = true;
      while (more) {
        const variables = { orgSlug, periodId, after };
        const data: GoalChangesSinceQuery = await this.options.client.execute(GoalChangesSinceDocument, variables);
        if (generation !== this.streamGeneration) {
          return; // dropped again: the next connection catches up
        }
        const page = data.organization.period.goalChanges;
        for (const { goalId, kind, version, actor } of page.events) {
          this.deliver({ goalId, kind, version, actorId: actor.id, cursor: page.cursor });
        }
        this.cursor = after = page.cursor;
        more = page.hasMore;
      }
    } catch (error) {
      if (generation !== this.streamGeneration) {
        return;
      }
      this.catchingUp = null;
      if (isGoalpostError(error) && error.code === "BAD_CURSOR") {
        // The server opens this cursor no more (its cursor secret changed): catching up from
        // it can never work, so read everything again, as after a drop with no cursor.
        this.cursor = null;
        this.options.onResync?.();
        return;
      }
      console.error("live changes: catching up failed", error);
      this.client?.terminate(); // a retryable close (4499): the next socket catches up again
      return;
    }
    this.catchingUp = null;
    for (const notice of waiting) {
      this.deliver(notice);
    }
  }
}

function isCloseLike(value: unknown): value is CloseLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "number" &&
    typeof (value as { reason?: unknown }).reason === "string"
  );
}
