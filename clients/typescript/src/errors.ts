/**
 * Request-level failures as one typed error, so callers branch on `code`. Item-level failures
 * of a batch are not errors: they are results (docs/batch-save.md).
 */

/** The request-level codes the server sends in `extensions.code` (docs/http.md), plus the
 * client's own: NETWORK (no GraphQL answer) and UNKNOWN (an error without a code). */
export type GoalpostErrorCode =
  | "UNAUTHENTICATED"
  | "ORG_NOT_FOUND"
  | "PERIOD_NOT_FOUND"
  | "PERIOD_CLOSED"
  | "BATCH_TOO_LARGE"
  | "BAD_USER_INPUT"
  | "INTERNAL"
  | "NETWORK"
  | "UNKNOWN";

/** One entry of a GraphQL response's `errors`, as far as this client reads it. */
export interface GraphQLErrorEntry {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** Codes whose request may be sent again unchanged, when the server does not say. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<string> = new Set(["INTERNAL", "NETWORK"]);

/** A request that failed as a whole; `retryable` says whether resending it makes sense. */
export class GoalpostError extends Error {
  override readonly name = "GoalpostError";
  readonly code: GoalpostErrorCode | (string & {});
  readonly retryable: boolean;
  readonly errors: readonly GraphQLErrorEntry[];

  constructor(
    message: string,
    options: {
      code: GoalpostErrorCode | (string & {});
      retryable?: boolean;
      errors?: readonly GraphQLErrorEntry[];
      cause?: unknown;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(options.code);
    this.errors = options.errors ?? [];
  }

  /** The error for a response's `errors`: the first one's code and retryable flag. */
  static fromGraphQLErrors(errors: readonly GraphQLErrorEntry[]): GoalpostError {
    const first = errors[0];
    const code = first?.extensions?.code;
    const retryable = first?.extensions?.retryable;
    return new GoalpostError(first?.message ?? "request failed", {
      code: typeof code === "string" ? code : "UNKNOWN",
      ...(typeof retryable === "boolean" ? { retryable } : {}),
      errors,
    });
  }
}

/** Whether `value` is a GoalpostError (also across two copies of this package). */
export function isGoalpostError(value: unknown): value is GoalpostError {
  return value instanceof GoalpostError || (value instanceof Error && value.name === "GoalpostError");
}
