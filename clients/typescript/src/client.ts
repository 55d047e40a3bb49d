/**
 * `GoalpostClient`: the API's operations over `fetch` (GraphQL over HTTP) and live changes over
 * graphql-transport-ws (graphql-ws). No framework: runs in browsers and in Node >= 20
 * (this package's README.md, docs/live.md).
 */
import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { createClient, type Client as WsClient } from "graphql-ws/client";

import { GoalpostError, type GraphQLErrorEntry } from "./errors.js";
import {
  BatchSaveGoalsDocument,
  GoalChangedDocument,
  GoalChangesDocument,
  MyGoalsDocument,
  ReviewGoalsDocument,
  type BatchSaveGoalsInput,
  type BatchSaveGoalsMutation,
  type GoalCategory,
  type GoalChangedSubscription,
  type GoalChangesQuery,
  type MyGoalsQuery,
  type ReviewGoalsInput,
  type ReviewGoalsMutation,
} from "./generated/graphql.js";

/** Where the token comes from: a fixed string, or a function asked before every request and
 * every WebSocket connection (so a refreshed token is picked up). */
export type TokenSource =
  | { readonly token: string; readonly getToken?: never }
  | { readonly getToken: () => string | Promise<string>; readonly token?: never };

export type GoalpostClientOptions = TokenSource & {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:8000/graphql`. */
  readonly url: string;
  /** The WebSocket endpoint; default: `url` with ws(s):// instead of http(s)://. */
  readonly wsUrl?: string;
  /** A WebSocket class where there is no global one (Node: `import WebSocket from "ws"`). */
  readonly webSocketImpl?: unknown;
  /** The fetch to use; default: the global one. */
  readonly fetch?: typeof fetch;
};

export type BatchSaveGoalsPayload = BatchSaveGoalsMutation["batchSaveGoals"];
export type GoalSaveResult = BatchSaveGoalsPayload["results"][number];
export type ReviewGoalsPayload = ReviewGoalsMutation["reviewGoals"];
export type GoalReviewResult = ReviewGoalsPayload["results"][number];
export type MyGoalsPeriod = MyGoalsQuery["organization"]["period"];
export type Goal = MyGoalsPeriod["myGoals"][number];
export type GoalChangesPage = GoalChangesQuery["organization"]["period"]["goalChanges"];
export type GoalChangeNotice = GoalChangedSubscription["goalChanged"];

/** A typed operation as GraphQL Code Generator writes it (`documentMode: "string"`): this
 * package's own, or an app's generated against the same schema. */
export type OperationDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & {
  toString(): string;
};

/** How one request goes out. */
export interface RequestOptions {
  /** Let the request outlive the page (a save on `pagehide`): fetch's `keepalive`, used only
   * when the body fits the browsers' 64 KiB keepalive budget. */
  readonly keepalive?: boolean;
}

// Browsers refuse keepalive bodies over 64 KiB (all keepalive requests in flight together).
const KEEPALIVE_MAX_BYTES = 60_000;

/** The period a query or subscription is about. */
export interface PeriodRef {
  readonly orgSlug: string;
  readonly periodId: string;
}

/** WebSocket close codes the server uses for a refused token (docs/live.md). */
const UNAUTHENTICATED_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403]);

interface GraphQLResponse<TResult> {
  readonly data?: TResult | null;
  readonly errors?: readonly GraphQLErrorEntry[];
}

export class GoalpostClient {
  readonly url: string;
  readonly wsUrl: string;
  /** The WebSocket class given in the options, if any (live changes open their own socket). */
  readonly webSocketImpl: unknown;
  private readonly options: GoalpostClientOptions;
  private ws: WsClient | undefined;

  constructor(options: GoalpostClientOptions) {
    this.options = options;
    this.url = options.url;
    this.wsUrl = options.wsUrl ?? options.url.replace(/^http/, "ws");
    this.webSocketImpl = options.webSocketImpl;
  }

  /** Save many goal edits in one request: one typed result per item, in input order
   * (docs/batch-save.md). Item failures are results; a failed request throws GoalpostError. */
  async batchSaveGoals(input: BatchSaveGoalsInput, options?: RequestOptions): Promise<BatchSaveGoalsPayload> {
    return (await this.execute(BatchSaveGoalsDocument, { input }, options)).batchSaveGoals;
  }

  /** The caller's goals of a period (optionally of one category) and its weight totals. */
  async myGoals(period: PeriodRef & { readonly category?: GoalCategory }): Promise<MyGoalsPeriod> {
    const { orgSlug, periodId, category } = period;
    const data = await this.execute(MyGoalsDocument, {
      orgSlug,
      periodId,
      ...(category === undefined ? {} : { category }),
    });
    return data.organization.period;
  }

  /** One page of the period's change feed from `after` (docs/history.md). */
  async goalChanges(
    period: PeriodRef & { readonly after?: string | null; readonly first?: number },
  ): Promise<GoalChangesPage> {
    const { orgSlug, periodId, after = null, first = 100 } = period;
    const data = await this.execute(GoalChangesDocument, { orgSlug, periodId, after, first });
    return data.organization.period.goalChanges;
  }

  /** A supervisor's decisions on submitted goals: one typed result per item (docs/review.md). */
  async reviewGoals(input: ReviewGoalsInput, options?: RequestOptions): Promise<ReviewGoalsPayload> {
    return (await this.execute(ReviewGoalsDocument, { input }, options)).reviewGoals;
  }

  /**
   * The period's goal changes as they are committed (docs/live.md): iterate with `for await`;
   * leaving the loop, or aborting `signal` (which also ends a loop waiting for its next
   * notice), unsubscribes. A refused token or a request error ends the iteration with a
   * GoalpostError.
   */
  async *goalChanged(
    period: PeriodRef & { readonly signal?: AbortSignal },
  ): AsyncGenerator<GoalChangeNotice, void, undefined> {
    const { orgSlug, periodId, signal } = period;
    if (signal?.aborted) {
      return;
    }
    const results = this.socket().iterate<GoalChangedSubscription>({
      query: GoalChangedDocument.toString(),
      variables: { orgSlug, periodId },
    });
    const unsubscribe = (): void => {
      void results.return?.();
    };
    signal?.addEventListener("abort", unsubscribe, { once: true });
    try {
      for await (const result of results) {
        if (result.errors?.length) {
          throw GoalpostError.fromGraphQLErrors(result.errors);
        }
        if (result.data) {
          yield result.data.goalChanged;
        }
      }
    } catch (error) {
      throw socketError(error);
    } finally {
      signal?.removeEventListener("abort", unsubscribe);
      await results.return?.();
    }
  }

  /** Close the WebSocket, if one is open (ends every subscription). */
  async close(): Promise<void> {
    const ws = this.ws;
    this.ws = undefined;
    await ws?.dispose();
  }

  /** Send one typed operation over HTTP; its data, or a GoalpostError. */
  async execute<TResult, TVariables>(
    document: OperationDocument<TResult, TVariables>,
    variables: TVariables,
    options: RequestOptions = {},
  ): Promise<TResult> {
    const fetchImpl = this.options.fetch ?? globalThis.fetch;
    const query = document.toString();
    const body = JSON.stringify({ query, operationName: operationName(query), variables });
    const keepalive = options.keepalive === true && new TextEncoder().encode(body).length <= KEEPALIVE_MAX_BYTES;
    let response: Response;
    try {
      // A fixed token is not awaited: fetch starts before this call returns, which a page's
      // pagehide handler needs (a save there must leave before the page does).
      const token = this.options.token ?? (await this.options.getToken());
      response = await fetchImpl(this.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/graphql-response+json, application/json",
          Authorization: `Bearer ${token}`,
        },
        body,
        ...(keepalive ? { keepalive } : {}),
      });
    } catch (error) {
      throw new GoalpostError("no answer from the server", { code: "NETWORK", cause: error });
    }
    const answer = await readBody<TResult>(response);
    if (answer?.errors?.length) {
      throw GoalpostError.fromGraphQLErrors(answer.errors);
    }
    if (!answer?.data) {
      // A 200 whose body is not GraphQL was cut off on the way (or came from a proxy): worth
      // another try, like a 5xx.
      const { status } = response;
      throw new GoalpostError(`HTTP ${String(status)} without GraphQL data`, {
        code: "NETWORK",
        retryable: status >= 500 || status === 429 || status === 200,
      });
    }
    return answer.data;
  }

  /** The `connection_init` payload of a socket: the token, asked for anew each time. */
  async connectionParams(): Promise<{ Authorization: string }> {
    return { Authorization: `Bearer ${this.options.token ?? (await this.options.getToken())}` };
  }

  /** One lazy WebSocket for every subscription; the token goes in connection_init. */
  private socket(): WsClient {
    this.ws ??= createClient({
      url: this.wsUrl,
      lazy: true,
      connectionParams: () => this.connectionParams(),
      // A refused token will not be accepted on a retry either.
      shouldRetry: (event) => !isCloseEvent(event) || !UNAUTHENTICATED_CLOSE_CODES.has(event.code),
      ...(this.options.webSocketImpl === undefined
        ? {}
        : { webSocketImpl: this.options.webSocketImpl }),
    });
    return this.ws;
  }
}

/** The document's first operation's name: sent along, so server logs and traces name it. */
function operationName(query: string): string | undefined {
  return /\b(?:query|mutation|subscription)\s+(\w+)/.exec(query)?.[1];
}

/** The response's JSON body, or undefined when it is not GraphQL (a proxy's HTML page). */
async function readBody<TResult>(response: Response): Promise<GraphQLResponse<TResult> | undefined> {
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("json")) {
    return undefined;
  }
  try {
    return (await response.json()) as GraphQLResponse<TResult>;
  } catch {
    return undefined;
  }
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === "object" && value !== null && typeof (value as { code?: unknown }).code === "number";
}

/** What graphql-ws throws (a CloseEvent, an Error, GraphQL errors) as a GoalpostError (also
 * for live.ts; not exported from the package). */
export function socketError(error: unknown): GoalpostError {
  if (error instanceof GoalpostError) {
    return error;
  }
  if (isCloseEvent(error)) {
    const unauthenticated = UNAUTHENTICATED_CLOSE_CODES.has(error.code);
    return new GoalpostError(error.reason || `WebSocket closed (${String(error.code)})`, {
      code: unauthenticated ? "UNAUTHENTICATED" : "NETWORK",
    });
  }
  if (Array.isArray(error)) {
    return GoalpostError.fromGraphQLErrors(error as GraphQLErrorEntry[]);
  }
  return new GoalpostError(error instanceof Error ? error.message : String(error), {
    code: "NETWORK",
    cause: error,
  });
}
