"""The GraphQL documents the client sends, parsed once at import.

`GOAL_FIELDS` is built from the goal field declarations (domain/goal_fields), and these
fragments are what the Python client selects; the TypeScript client and the goal sheet select
the same in clients/typescript/src/operations/fragments.graphql, and
tests/test_field_declaration.py holds both to the declarations.
"""

from __future__ import annotations

from gql import GraphQLRequest

from goalpost.domain.goal_fields import CATEGORY_FIELDS, FieldKind, camel, category_title

# How a field of each kind is selected (the kinds with a sub-selection).
SELECTIONS = {FieldKind.IDEAL_ACTIONS: "{ competencyId actions }"}


def goal_fields_fragment() -> str:
    lines = ["fragment GoalFields on Goal {"]
    lines.append("  __typename id clientId category status weight version createdAt updatedAt")
    for category, fields in CATEGORY_FIELDS.items():
        selected = " ".join(
            f"{camel(f.name)} {SELECTIONS[f.kind]}" if f.kind in SELECTIONS else camel(f.name)
            for f in fields
        )
        lines.append(f"  ... on {category_title(category)}Goal {{ {selected} }}")
    return "\n".join([*lines, "}", ""])


GOAL_FIELDS = goal_fields_fragment()

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

# What a history event selects: the change feed's events and a goal's `history` alike.
EVENT_FIELDS = (
    "id goalId kind version at actor { id name } requestId changes { field before after } comment"
)

GOAL_CHANGES = GraphQLRequest(
    """
query GoalChanges($slug: String!, $periodId: ID!, $after: String, $first: Int!) {
  organization(slug: $slug) {
    period(id: $periodId) {
      goalChanges(after: $after, first: $first) {
        events { EVENT }
        cursor hasMore
      }
    }
  }
}
""".replace("EVENT", EVENT_FIELDS)
)

GOAL_CHANGED = GraphQLRequest(
    """
subscription GoalChanged($slug: String!, $periodId: ID!) {
  goalChanged(orgSlug: $slug, periodId: $periodId) { goalId kind version actorId cursor }
}
"""
)

REVIEW_FIELDS = "review { decision comment reviewer { id name } reviewedAt }"

REVIEW_GOALS = GraphQLRequest(
    """
mutation ReviewGoals($input: ReviewGoalsInput!) {
  reviewGoals(input: $input) {
    results {
      __typename
      ... on GoalReviewed { clientId goal { ...GoalFields REVIEW } }
      ... on GoalSaveProblem { clientId code message retryable }
      ... on GoalValidationFailed { fieldErrors { field message } }
      ... on GoalVersionConflict { current { ...GoalFields } }
      ... on GoalNotReviewable { status }
    }
    reviewedCount failedCount
  }
}
""".replace("REVIEW", REVIEW_FIELDS)
    + GOAL_FIELDS
)

TEAM_GOALS = GraphQLRequest(
    """
query TeamGoals($slug: String!, $periodId: ID!, $status: GoalStatus) {
  organization(slug: $slug) {
    period(id: $periodId) {
      teamGoals(status: $status) { ...GoalFields owner { id name email } REVIEW }
    }
  }
}
""".replace("REVIEW", REVIEW_FIELDS)
    + GOAL_FIELDS
)
