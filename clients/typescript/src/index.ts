export {
  GoalpostClient,
  type BatchSaveGoalsPayload,
  type Goal,
  type GoalChangeNotice,
  type GoalChangesPage,
  type GoalReviewResult,
  type GoalSaveResult,
  type GoalpostClientOptions,
  type MyGoalsPeriod,
  type OperationDocument,
  type PeriodRef,
  type RequestOptions,
  type ReviewGoalsPayload,
  type TokenSource,
} from "./client.js";
/** The period's live changes with reconnection and catch-up from the last cursor, so nothing is
 * missed across a drop (docs/live.md); what the AutoSaver's live mode and the goal sheet use. */
export { LiveChanges, type LiveChangesOptions, type LiveNotice, type LiveSource, type LiveState } from "./live.js";
export { GoalpostError, isGoalpostError, type GoalpostErrorCode, type GraphQLErrorEntry } from "./errors.js";
export * from "./generated/graphql.js";
export * from "./autosave/index.js";
