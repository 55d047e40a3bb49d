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
export { GoalpostError, isGoalpostError, type GoalpostErrorCode, type GraphQLErrorEntry } from "./errors.js";
export * from "./generated/graphql.js";
export * from "./autosave/index.js";
