"""The GraphQL documents the client sends, parsed once at import."""

from __future__ import annotations

from gql import GraphQLRequest

GOAL_FIELDS = """
fragment GoalFields on Goal {
  __typename id clientId category status weight version createdAt updatedAt
  ... on PerformanceGoal { title goalType specificGoal achievementCriteria meansMethods }
  ... on CompetencyGoal {
    competencyIds selectedIdealActions { competencyId actions } actionPlan
  }
  ... on CoreValueGoal { coreValuePlan }
}
"""

SAVE_RESULT_FIELDS = """
fragment SaveResultFields on GoalSaveResult {
  __typename
  ... on GoalSaved { clientId created goal { ...GoalFields } }
  ... on GoalDeleted { clientId id }
  ... on GoalSaveProblem { clientId code message retryable }
  ... on GoalValidationFailed { fieldErrors { field message } }
  ... on GoalVersionConflict { current { ...GoalFields } }
  ... on GoalNotEditable { status }
}
"""

ME = GraphQLRequest(
    """
query Me {
  me { id email name memberships { role organization { slug name } } }
}
"""
)

ORGANIZATION = GraphQLRequest(
    """
query Organization($slug: String!) {
  organization(slug: $slug) {
    slug name
    competencies { id name idealActions }
    periods { id name status startsOn endsOn }
  }
}
"""
)

MY_GOALS = GraphQLRequest(
    """
query MyGoals($slug: String!, $periodId: ID!, $category: GoalCategory) {
  organization(slug: $slug) {
    period(id: $periodId) { myGoals(category: $category) { ...GoalFields } }
  }
}
"""
    + GOAL_FIELDS
)

BATCH_SAVE = GraphQLRequest(
    """
mutation BatchSaveGoals($input: BatchSaveGoalsInput!) {
  batchSaveGoals(input: $input) {
    results { ...SaveResultFields }
    savedCount failedCount
    weightTotals { performance competency coreValue }
  }
}
"""
    + SAVE_RESULT_FIELDS
    + GOAL_FIELDS
)

SAVE_GOAL = GraphQLRequest(
    """
mutation SaveGoal($input: SaveGoalInput!) {
  saveGoal(input: $input) { ...SaveResultFields }
}
"""
    + SAVE_RESULT_FIELDS
    + GOAL_FIELDS
)

SUBMIT_GOALS = GraphQLRequest(
    """
mutation SubmitGoals($slug: String!, $periodId: ID!) {
  submitGoals(orgSlug: $slug, periodId: $periodId) {
    submitted
    goals { ...GoalFields }
    problems { code message goal { ...GoalFields } }
  }
}
"""
    + GOAL_FIELDS
)
