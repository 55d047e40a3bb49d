/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type BatchSaveGoalsInput = {
  errorPolicy?: GoalBatchErrorPolicy;
  items: Array<GoalBatchItemInput>;
  orgSlug: string;
  periodId: string | number;
};

export type CompetencyPatchInput = {
  actionPlan?: string | null | undefined;
  competencyIds?: Array<string | number> | null | undefined;
  /** Per competency of the goal, the chosen ideal actions. */
  selectedIdealActions?: Array<IdealActionSelectionInput> | null | undefined;
  weight?: number | null | undefined;
};

export type CoreValuePatchInput = {
  coreValuePlan?: string | null | undefined;
  weight?: number | null | undefined;
};

export type GoalBatchErrorPolicy =
  | 'ALL_OR_NOTHING'
  | 'SAVE_VALID';

/** One goal edit: a create (no id), an update (id) or a delete. */
export type GoalBatchItemInput = {
  /** The client's key for this item, echoed in its result; for a create also the idempotency key (a resent create updates the goal it created). */
  clientId: string;
  competency?: CompetencyPatchInput | null | undefined;
  coreValue?: CoreValuePatchInput | null | undefined;
  delete?: boolean | null | undefined;
  expectedVersion?: number | null | undefined;
  id?: string | number | null | undefined;
  performance?: PerformancePatchInput | null | undefined;
};

export type GoalCategory =
  | 'COMPETENCY'
  | 'CORE_VALUE'
  | 'PERFORMANCE';

/** What a history event records (docs/history.md). */
export type GoalEventKind =
  | 'APPROVED'
  | 'CREATED'
  | 'DELETED'
  | 'RETURNED'
  | 'SUBMITTED'
  | 'UPDATED';

/** A supervisor's decision on a submitted goal. */
export type GoalReviewDecision =
  | 'APPROVE'
  | 'RETURN';

/** One decision on one submitted goal of a direct report. */
export type GoalReviewItemInput = {
  clientId: string;
  /** Required (non-blank) to RETURN; at most 2000 characters. */
  comment?: string | null | undefined;
  decision: GoalReviewDecision;
  expectedVersion?: number | null | undefined;
  goalId: string | number;
};

export type GoalSaveErrorCode =
  | 'BATCH_REJECTED'
  | 'DUPLICATE_IN_BATCH'
  | 'NOT_EDITABLE'
  | 'NOT_FOUND'
  | 'NOT_REVIEWABLE'
  | 'SAVE_FAILED'
  | 'VALIDATION_FAILED'
  | 'VERSION_CONFLICT';

export type GoalStatus =
  | 'APPROVED'
  | 'DRAFT'
  | 'REJECTED'
  | 'SUBMITTED';

export type GoalType =
  | 'QUALITATIVE'
  | 'QUANTITATIVE';

export type IdealActionSelectionInput = {
  actions: Array<string>;
  competencyId: string | number;
};

export type PerformancePatchInput = {
  achievementCriteria?: string | null | undefined;
  goalType?: GoalType | null | undefined;
  meansMethods?: string | null | undefined;
  specificGoal?: string | null | undefined;
  title?: string | null | undefined;
  weight?: number | null | undefined;
};

export type ReviewGoalsInput = {
  errorPolicy?: GoalBatchErrorPolicy;
  items: Array<GoalReviewItemInput>;
  orgSlug: string;
  periodId: string | number;
};

export type BatchSaveGoalsMutationVariables = Exact<{
  input: BatchSaveGoalsInput;
}>;


export type BatchSaveGoalsMutation = { __typename: 'Mutation', batchSaveGoals: { __typename: 'BatchSaveGoalsPayload', savedCount: number, failedCount: number, results: Array<
      | { __typename: 'GoalDeleted', clientId: string, id: string }
      | { __typename: 'GoalNotEditable', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean, status: GoalStatus }
      | { __typename: 'GoalNotFound', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean }
      | { __typename: 'GoalSaveFailed', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean }
      | { __typename: 'GoalSaved', clientId: string, created: boolean, goal:
          | { __typename: 'CompetencyGoal', competencyIds: Array<string>, actionPlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, selectedIdealActions: Array<{ __typename: 'IdealActionSelection', competencyId: string, actions: Array<string> }> }
          | { __typename: 'CoreValueGoal', coreValuePlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string }
          | { __typename: 'PerformanceGoal', title: string | null, goalType: GoalType | null, specificGoal: string | null, achievementCriteria: string | null, meansMethods: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string }
         }
      | { __typename: 'GoalValidationFailed', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean, fieldErrors: Array<{ __typename: 'FieldError', field: string, message: string }> }
      | { __typename: 'GoalVersionConflict', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean, current:
          | { __typename: 'CompetencyGoal', competencyIds: Array<string>, actionPlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, selectedIdealActions: Array<{ __typename: 'IdealActionSelection', competencyId: string, actions: Array<string> }> }
          | { __typename: 'CoreValueGoal', coreValuePlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string }
          | { __typename: 'PerformanceGoal', title: string | null, goalType: GoalType | null, specificGoal: string | null, achievementCriteria: string | null, meansMethods: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string }
         }
    >, weightTotals: { __typename: 'WeightTotals', performance: number, competency: number, coreValue: number } } };

export type GoalChangedSubscriptionVariables = Exact<{
  orgSlug: string;
  periodId: string | number;
}>;


export type GoalChangedSubscription = { __typename: 'Subscription', goalChanged: { __typename: 'GoalChangeNotice', goalId: string, kind: GoalEventKind, version: number, actorId: string, cursor: string } };

export type GoalChangesQueryVariables = Exact<{
  orgSlug: string;
  periodId: string | number;
  after?: string | null | undefined;
  first?: number;
}>;


export type GoalChangesQuery = { __typename: 'Query', organization: { __typename: 'Organization', period: { __typename: 'EvaluationPeriod', goalChanges: { __typename: 'GoalChanges', cursor: string, hasMore: boolean, events: Array<{ __typename: 'GoalEvent', id: string, goalId: string, kind: GoalEventKind, version: number, at: string, requestId: string | null, comment: string | null, actor: { __typename: 'User', id: string, name: string }, changes: Array<{ __typename: 'FieldChange', field: string, before: unknown, after: unknown }> }> } } } };

export type GoalChangesSinceQueryVariables = Exact<{
  orgSlug: string;
  periodId: string | number;
  after?: string | null | undefined;
}>;


export type GoalChangesSinceQuery = { __typename: 'Query', organization: { __typename: 'Organization', period: { __typename: 'EvaluationPeriod', goalChanges: { __typename: 'GoalChanges', cursor: string, hasMore: boolean, events: Array<{ __typename: 'GoalEvent', goalId: string, kind: GoalEventKind, version: number, actor: { __typename: 'User', id: string } }> } } } };

export type MyGoalsQueryVariables = Exact<{
  orgSlug: string;
  periodId: string | number;
  category?: GoalCategory | null | undefined;
}>;


export type MyGoalsQuery = { __typename: 'Query', organization: { __typename: 'Organization', period: { __typename: 'EvaluationPeriod', myGoals: Array<
        | { __typename: 'CompetencyGoal', competencyIds: Array<string>, actionPlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, selectedIdealActions: Array<{ __typename: 'IdealActionSelection', competencyId: string, actions: Array<string> }> }
        | { __typename: 'CoreValueGoal', coreValuePlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string }
        | { __typename: 'PerformanceGoal', title: string | null, goalType: GoalType | null, specificGoal: string | null, achievementCriteria: string | null, meansMethods: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string }
      >, weightTotals: { __typename: 'WeightTotals', performance: number, competency: number, coreValue: number } } } };

export type ReviewGoalsMutationVariables = Exact<{
  input: ReviewGoalsInput;
}>;


export type ReviewGoalsMutation = { __typename: 'Mutation', reviewGoals: { __typename: 'ReviewGoalsPayload', reviewedCount: number, failedCount: number, results: Array<
      | { __typename: 'GoalNotFound', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean }
      | { __typename: 'GoalNotReviewable', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean, status: GoalStatus }
      | { __typename: 'GoalReviewed', clientId: string, goal:
          | { __typename: 'CompetencyGoal', competencyIds: Array<string>, actionPlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, selectedIdealActions: Array<{ __typename: 'IdealActionSelection', competencyId: string, actions: Array<string> }>, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
          | { __typename: 'CoreValueGoal', coreValuePlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
          | { __typename: 'PerformanceGoal', title: string | null, goalType: GoalType | null, specificGoal: string | null, achievementCriteria: string | null, meansMethods: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
         }
      | { __typename: 'GoalSaveFailed', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean }
      | { __typename: 'GoalValidationFailed', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean, fieldErrors: Array<{ __typename: 'FieldError', field: string, message: string }> }
      | { __typename: 'GoalVersionConflict', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean, current:
          | { __typename: 'CompetencyGoal', competencyIds: Array<string>, actionPlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, selectedIdealActions: Array<{ __typename: 'IdealActionSelection', competencyId: string, actions: Array<string> }>, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
          | { __typename: 'CoreValueGoal', coreValuePlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
          | { __typename: 'PerformanceGoal', title: string | null, goalType: GoalType | null, specificGoal: string | null, achievementCriteria: string | null, meansMethods: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
         }
    > } };

type GoalFields_CompetencyGoal_Fragment = { __typename: 'CompetencyGoal', competencyIds: Array<string>, actionPlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, selectedIdealActions: Array<{ __typename: 'IdealActionSelection', competencyId: string, actions: Array<string> }> };

type GoalFields_CoreValueGoal_Fragment = { __typename: 'CoreValueGoal', coreValuePlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string };

type GoalFields_PerformanceGoal_Fragment = { __typename: 'PerformanceGoal', title: string | null, goalType: GoalType | null, specificGoal: string | null, achievementCriteria: string | null, meansMethods: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string };

export type GoalFieldsFragment =
  | GoalFields_CompetencyGoal_Fragment
  | GoalFields_CoreValueGoal_Fragment
  | GoalFields_PerformanceGoal_Fragment
;

type SaveResultFields_GoalDeleted_Fragment = { __typename: 'GoalDeleted', clientId: string, id: string };

type SaveResultFields_GoalNotEditable_Fragment = { __typename: 'GoalNotEditable', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean, status: GoalStatus };

type SaveResultFields_GoalNotFound_Fragment = { __typename: 'GoalNotFound', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean };

type SaveResultFields_GoalSaveFailed_Fragment = { __typename: 'GoalSaveFailed', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean };

type SaveResultFields_GoalSaved_Fragment = { __typename: 'GoalSaved', clientId: string, created: boolean, goal:
    | { __typename: 'CompetencyGoal', competencyIds: Array<string>, actionPlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, selectedIdealActions: Array<{ __typename: 'IdealActionSelection', competencyId: string, actions: Array<string> }> }
    | { __typename: 'CoreValueGoal', coreValuePlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string }
    | { __typename: 'PerformanceGoal', title: string | null, goalType: GoalType | null, specificGoal: string | null, achievementCriteria: string | null, meansMethods: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string }
   };

type SaveResultFields_GoalValidationFailed_Fragment = { __typename: 'GoalValidationFailed', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean, fieldErrors: Array<{ __typename: 'FieldError', field: string, message: string }> };

type SaveResultFields_GoalVersionConflict_Fragment = { __typename: 'GoalVersionConflict', clientId: string, code: GoalSaveErrorCode, message: string, retryable: boolean, current:
    | { __typename: 'CompetencyGoal', competencyIds: Array<string>, actionPlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, selectedIdealActions: Array<{ __typename: 'IdealActionSelection', competencyId: string, actions: Array<string> }> }
    | { __typename: 'CoreValueGoal', coreValuePlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string }
    | { __typename: 'PerformanceGoal', title: string | null, goalType: GoalType | null, specificGoal: string | null, achievementCriteria: string | null, meansMethods: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string }
   };

export type SaveResultFieldsFragment =
  | SaveResultFields_GoalDeleted_Fragment
  | SaveResultFields_GoalNotEditable_Fragment
  | SaveResultFields_GoalNotFound_Fragment
  | SaveResultFields_GoalSaveFailed_Fragment
  | SaveResultFields_GoalSaved_Fragment
  | SaveResultFields_GoalValidationFailed_Fragment
  | SaveResultFields_GoalVersionConflict_Fragment
;

type ReviewFields_CompetencyGoal_Fragment = { __typename: 'CompetencyGoal', review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null };

type ReviewFields_CoreValueGoal_Fragment = { __typename: 'CoreValueGoal', review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null };

type ReviewFields_PerformanceGoal_Fragment = { __typename: 'PerformanceGoal', review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null };

export type ReviewFieldsFragment =
  | ReviewFields_CompetencyGoal_Fragment
  | ReviewFields_CoreValueGoal_Fragment
  | ReviewFields_PerformanceGoal_Fragment
;

export type EventFieldsFragment = { __typename: 'GoalEvent', id: string, goalId: string, kind: GoalEventKind, version: number, at: string, requestId: string | null, comment: string | null, actor: { __typename: 'User', id: string, name: string }, changes: Array<{ __typename: 'FieldChange', field: string, before: unknown, after: unknown }> };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const GoalFieldsFragmentDoc = new TypedDocumentString(`
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}
    `, {"fragmentName":"GoalFields"}) as unknown as TypedDocumentString<GoalFieldsFragment, unknown>;
export const SaveResultFieldsFragmentDoc = new TypedDocumentString(`
    fragment SaveResultFields on GoalSaveResult {
  __typename
  ... on GoalSaved {
    clientId
    created
    goal {
      ...GoalFields
    }
  }
  ... on GoalDeleted {
    clientId
    id
  }
  ... on GoalValidationFailed {
    clientId
    code
    message
    retryable
    fieldErrors {
      field
      message
    }
  }
  ... on GoalVersionConflict {
    clientId
    code
    message
    retryable
    current {
      ...GoalFields
    }
  }
  ... on GoalNotFound {
    clientId
    code
    message
    retryable
  }
  ... on GoalNotEditable {
    clientId
    code
    message
    retryable
    status
  }
  ... on GoalSaveFailed {
    clientId
    code
    message
    retryable
  }
}
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}`, {"fragmentName":"SaveResultFields"}) as unknown as TypedDocumentString<SaveResultFieldsFragment, unknown>;
export const ReviewFieldsFragmentDoc = new TypedDocumentString(`
    fragment ReviewFields on Goal {
  review {
    decision
    comment
    reviewedAt
    reviewer {
      id
      name
    }
  }
}
    `, {"fragmentName":"ReviewFields"}) as unknown as TypedDocumentString<ReviewFieldsFragment, unknown>;
export const EventFieldsFragmentDoc = new TypedDocumentString(`
    fragment EventFields on GoalEvent {
  id
  goalId
  kind
  version
  at
  actor {
    id
    name
  }
  requestId
  changes {
    field
    before
    after
  }
  comment
}
    `, {"fragmentName":"EventFields"}) as unknown as TypedDocumentString<EventFieldsFragment, unknown>;
export const BatchSaveGoalsDocument = new TypedDocumentString(`
    mutation BatchSaveGoals($input: BatchSaveGoalsInput!) {
  batchSaveGoals(input: $input) {
    results {
      ...SaveResultFields
    }
    savedCount
    failedCount
    weightTotals {
      performance
      competency
      coreValue
    }
  }
}
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}
fragment SaveResultFields on GoalSaveResult {
  __typename
  ... on GoalSaved {
    clientId
    created
    goal {
      ...GoalFields
    }
  }
  ... on GoalDeleted {
    clientId
    id
  }
  ... on GoalValidationFailed {
    clientId
    code
    message
    retryable
    fieldErrors {
      field
      message
    }
  }
  ... on GoalVersionConflict {
    clientId
    code
    message
    retryable
    current {
      ...GoalFields
    }
  }
  ... on GoalNotFound {
    clientId
    code
    message
    retryable
  }
  ... on GoalNotEditable {
    clientId
    code
    message
    retryable
    status
  }
  ... on GoalSaveFailed {
    clientId
    code
    message
    retryable
  }
}`) as unknown as TypedDocumentString<BatchSaveGoalsMutation, BatchSaveGoalsMutationVariables>;
export const GoalChangedDocument = new TypedDocumentString(`
    subscription GoalChanged($orgSlug: String!, $periodId: ID!) {
  goalChanged(orgSlug: $orgSlug, periodId: $periodId) {
    goalId
    kind
    version
    actorId
    cursor
  }
}
    `) as unknown as TypedDocumentString<GoalChangedSubscription, GoalChangedSubscriptionVariables>;
export const GoalChangesDocument = new TypedDocumentString(`
    query GoalChanges($orgSlug: String!, $periodId: ID!, $after: String, $first: Int! = 100) {
  organization(slug: $orgSlug) {
    period(id: $periodId) {
      goalChanges(after: $after, first: $first) {
        events {
          ...EventFields
        }
        cursor
        hasMore
      }
    }
  }
}
    fragment EventFields on GoalEvent {
  id
  goalId
  kind
  version
  at
  actor {
    id
    name
  }
  requestId
  changes {
    field
    before
    after
  }
  comment
}`) as unknown as TypedDocumentString<GoalChangesQuery, GoalChangesQueryVariables>;
export const GoalChangesSinceDocument = new TypedDocumentString(`
    query GoalChangesSince($orgSlug: String!, $periodId: ID!, $after: String) {
  organization(slug: $orgSlug) {
    period(id: $periodId) {
      goalChanges(after: $after, first: 200) {
        events {
          goalId
          kind
          version
          actor {
            id
          }
        }
        cursor
        hasMore
      }
    }
  }
}
    `) as unknown as TypedDocumentString<GoalChangesSinceQuery, GoalChangesSinceQueryVariables>;
export const MyGoalsDocument = new TypedDocumentString(`
    query MyGoals($orgSlug: String!, $periodId: ID!, $category: GoalCategory) {
  organization(slug: $orgSlug) {
    period(id: $periodId) {
      myGoals(category: $category) {
        ...GoalFields
      }
      weightTotals {
        performance
        competency
        coreValue
      }
    }
  }
}
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}`) as unknown as TypedDocumentString<MyGoalsQuery, MyGoalsQueryVariables>;
export const ReviewGoalsDocument = new TypedDocumentString(`
    mutation ReviewGoals($input: ReviewGoalsInput!) {
  reviewGoals(input: $input) {
    results {
      __typename
      ... on GoalReviewed {
        clientId
        goal {
          ...GoalFields
          ...ReviewFields
        }
      }
      ... on GoalValidationFailed {
        clientId
        code
        message
        retryable
        fieldErrors {
          field
          message
        }
      }
      ... on GoalVersionConflict {
        clientId
        code
        message
        retryable
        current {
          ...GoalFields
          ...ReviewFields
        }
      }
      ... on GoalNotFound {
        clientId
        code
        message
        retryable
      }
      ... on GoalNotReviewable {
        clientId
        code
        message
        retryable
        status
      }
      ... on GoalSaveFailed {
        clientId
        code
        message
        retryable
      }
    }
    reviewedCount
    failedCount
  }
}
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}
fragment ReviewFields on Goal {
  review {
    decision
    comment
    reviewedAt
    reviewer {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<ReviewGoalsMutation, ReviewGoalsMutationVariables>;