/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
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

export type PeriodStatus =
  | 'ACTIVE'
  | 'CLOSED'
  | 'DRAFT';

export type Role =
  | 'ADMIN'
  | 'EMPLOYEE'
  | 'SUPERVISOR';

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { __typename: 'Query', me: { __typename: 'Me', id: string, email: string, name: string, memberships: Array<{ __typename: 'Membership', role: Role, organization: { __typename: 'Organization', slug: string, name: string } }> } };

export type MyGoalHistoryQueryVariables = Exact<{
  slug: string;
  periodId: string | number;
}>;


export type MyGoalHistoryQuery = { __typename: 'Query', organization: { __typename: 'Organization', period: { __typename: 'EvaluationPeriod', goals: Array<
        | { __typename: 'CompetencyGoal', id: string, history: Array<{ __typename: 'GoalEvent', id: string, goalId: string, kind: GoalEventKind, version: number, at: string, requestId: string | null, comment: string | null, actor: { __typename: 'User', id: string, name: string }, changes: Array<{ __typename: 'FieldChange', field: string, before: unknown, after: unknown }> }> }
        | { __typename: 'CoreValueGoal', id: string, history: Array<{ __typename: 'GoalEvent', id: string, goalId: string, kind: GoalEventKind, version: number, at: string, requestId: string | null, comment: string | null, actor: { __typename: 'User', id: string, name: string }, changes: Array<{ __typename: 'FieldChange', field: string, before: unknown, after: unknown }> }> }
        | { __typename: 'PerformanceGoal', id: string, history: Array<{ __typename: 'GoalEvent', id: string, goalId: string, kind: GoalEventKind, version: number, at: string, requestId: string | null, comment: string | null, actor: { __typename: 'User', id: string, name: string }, changes: Array<{ __typename: 'FieldChange', field: string, before: unknown, after: unknown }> }> }
      > } } };

export type MyGoalsQueryVariables = Exact<{
  orgSlug: string;
  periodId: string | number;
}>;


export type MyGoalsQuery = { __typename: 'Query', organization: { __typename: 'Organization', period: { __typename: 'EvaluationPeriod', myGoals: Array<
        | { __typename: 'CompetencyGoal', competencyIds: Array<string>, actionPlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, selectedIdealActions: Array<{ __typename: 'IdealActionSelection', competencyId: string, actions: Array<string> }>, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
        | { __typename: 'CoreValueGoal', coreValuePlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
        | { __typename: 'PerformanceGoal', title: string | null, goalType: GoalType | null, specificGoal: string | null, achievementCriteria: string | null, meansMethods: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
      > } } };

export type OrganizationQueryVariables = Exact<{
  slug: string;
}>;


export type OrganizationQuery = { __typename: 'Query', organization: { __typename: 'Organization', slug: string, name: string, competencies: Array<{ __typename: 'Competency', id: string, name: string, idealActions: Array<string> }>, periods: Array<{ __typename: 'EvaluationPeriod', id: string, name: string, status: PeriodStatus, startsOn: string, endsOn: string }> } };

export type TeamGoalHistoryQueryVariables = Exact<{
  slug: string;
  periodId: string | number;
}>;


export type TeamGoalHistoryQuery = { __typename: 'Query', organization: { __typename: 'Organization', period: { __typename: 'EvaluationPeriod', goals: Array<
        | { __typename: 'CompetencyGoal', id: string, history: Array<{ __typename: 'GoalEvent', id: string, goalId: string, kind: GoalEventKind, version: number, at: string, requestId: string | null, comment: string | null, actor: { __typename: 'User', id: string, name: string }, changes: Array<{ __typename: 'FieldChange', field: string, before: unknown, after: unknown }> }> }
        | { __typename: 'CoreValueGoal', id: string, history: Array<{ __typename: 'GoalEvent', id: string, goalId: string, kind: GoalEventKind, version: number, at: string, requestId: string | null, comment: string | null, actor: { __typename: 'User', id: string, name: string }, changes: Array<{ __typename: 'FieldChange', field: string, before: unknown, after: unknown }> }> }
        | { __typename: 'PerformanceGoal', id: string, history: Array<{ __typename: 'GoalEvent', id: string, goalId: string, kind: GoalEventKind, version: number, at: string, requestId: string | null, comment: string | null, actor: { __typename: 'User', id: string, name: string }, changes: Array<{ __typename: 'FieldChange', field: string, before: unknown, after: unknown }> }> }
      > } } };

export type TeamGoalsQueryVariables = Exact<{
  slug: string;
  periodId: string | number;
}>;


export type TeamGoalsQuery = { __typename: 'Query', organization: { __typename: 'Organization', period: { __typename: 'EvaluationPeriod', teamGoals: Array<
        | { __typename: 'CompetencyGoal', competencyIds: Array<string>, actionPlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, owner: { __typename: 'GoalOwner', id: string, name: string, email: string }, selectedIdealActions: Array<{ __typename: 'IdealActionSelection', competencyId: string, actions: Array<string> }>, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
        | { __typename: 'CoreValueGoal', coreValuePlan: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, owner: { __typename: 'GoalOwner', id: string, name: string, email: string }, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
        | { __typename: 'PerformanceGoal', title: string | null, goalType: GoalType | null, specificGoal: string | null, achievementCriteria: string | null, meansMethods: string | null, id: string, clientId: string, category: GoalCategory, status: GoalStatus, weight: number, version: number, createdAt: string, updatedAt: string, owner: { __typename: 'GoalOwner', id: string, name: string, email: string }, review: { __typename: 'GoalReview', decision: GoalReviewDecision, comment: string | null, reviewedAt: string, reviewer: { __typename: 'User', id: string, name: string } | null } | null }
      > } } };

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
export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    id
    email
    name
    memberships {
      role
      organization {
        slug
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const MyGoalHistoryDocument = new TypedDocumentString(`
    query MyGoalHistory($slug: String!, $periodId: ID!) {
  organization(slug: $slug) {
    period(id: $periodId) {
      goals: myGoals {
        id
        history {
          ...EventFields
        }
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
}`) as unknown as TypedDocumentString<MyGoalHistoryQuery, MyGoalHistoryQueryVariables>;
export const MyGoalsDocument = new TypedDocumentString(`
    query MyGoals($orgSlug: String!, $periodId: ID!) {
  organization(slug: $orgSlug) {
    period(id: $periodId) {
      myGoals {
        ...GoalFields
        ...ReviewFields
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
}`) as unknown as TypedDocumentString<MyGoalsQuery, MyGoalsQueryVariables>;
export const OrganizationDocument = new TypedDocumentString(`
    query Organization($slug: String!) {
  organization(slug: $slug) {
    slug
    name
    competencies {
      id
      name
      idealActions
    }
    periods {
      id
      name
      status
      startsOn
      endsOn
    }
  }
}
    `) as unknown as TypedDocumentString<OrganizationQuery, OrganizationQueryVariables>;
export const TeamGoalHistoryDocument = new TypedDocumentString(`
    query TeamGoalHistory($slug: String!, $periodId: ID!) {
  organization(slug: $slug) {
    period(id: $periodId) {
      goals: teamGoals {
        id
        history {
          ...EventFields
        }
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
}`) as unknown as TypedDocumentString<TeamGoalHistoryQuery, TeamGoalHistoryQueryVariables>;
export const TeamGoalsDocument = new TypedDocumentString(`
    query TeamGoals($slug: String!, $periodId: ID!) {
  organization(slug: $slug) {
    period(id: $periodId) {
      teamGoals {
        ...GoalFields
        owner {
          id
          name
          email
        }
        ...ReviewFields
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
}`) as unknown as TypedDocumentString<TeamGoalsQuery, TeamGoalsQueryVariables>;