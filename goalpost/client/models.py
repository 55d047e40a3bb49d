"""Plain values the client returns: no GraphQL dicts leak into callers' code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Category = Literal["PERFORMANCE", "COMPETENCY", "CORE_VALUE"]
CATEGORIES: tuple[Category, ...] = ("PERFORMANCE", "COMPETENCY", "CORE_VALUE")

# The patch input field of each category in GoalBatchItemInput.
PATCH_FIELD: dict[Category, str] = {
    "PERFORMANCE": "performance",
    "COMPETENCY": "competency",
    "CORE_VALUE": "coreValue",
}

Patch = Mapping[str, Any]


def camel(name: str) -> str:
    """`specific_goal` → `specificGoal`; API names pass through unchanged."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def normalize_patch(patch: Patch) -> dict[str, Any]:
    """Patches may use Python or API field names; the wire wants API names."""
    return {camel(key): value for key, value in patch.items()}


def category_of(value: str) -> Category:
    """Accepts `PERFORMANCE`, `performance`, `coreValue`, `core_value`, `CORE_VALUE`."""
    snake = value if "_" in value or value.isupper() else re.sub(r"(?<!^)(?=[A-Z])", "_", value)
    for category in CATEGORIES:
        if snake.upper() == category:
            return category
    raise ValueError(f"unknown goal category {value!r}")


@dataclass(frozen=True)
class Goal:
    """A goal as the server last returned it. `fields` holds the category's fields (API names)."""

    id: str
    client_id: str
    category: Category
    status: str
    weight: float
    version: int
    created_at: datetime
    updated_at: datetime
    fields: Mapping[str, Any] = field(default_factory=dict)

    COMMON = ("__typename", "id", "clientId", "category", "status", "weight", "version")

    def __getitem__(self, name: str) -> Any:
        """`goal["title"]` or `goal["weight"]`, by API name."""
        name = camel(name)
        if name == "weight":
            return self.weight
        return self.fields[name]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Goal:
        skip = {*cls.COMMON, "createdAt", "updatedAt"}
        return cls(
            id=str(data["id"]),
            client_id=str(data["clientId"]),
            category=category_of(str(data["category"])),
            status=str(data["status"]),
            weight=float(data["weight"]),
            version=int(data["version"]),
            created_at=datetime.fromisoformat(str(data["createdAt"])),
            updated_at=datetime.fromisoformat(str(data["updatedAt"])),
            fields={k: v for k, v in data.items() if k not in skip},
        )


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass(frozen=True)
class GoalSaved:
    client_id: str
    created: bool
    goal: Goal


@dataclass(frozen=True)
class GoalDeleted:
    client_id: str
    id: str


@dataclass(frozen=True)
class GoalProblem:
    """One item that failed; `kind` is the GraphQL type (GoalValidationFailed, ...)."""

    kind: str
    client_id: str
    code: str
    message: str
    retryable: bool
    field_errors: tuple[FieldError, ...] = ()
    current: Goal | None = None
    status: str | None = None


SaveResult = GoalSaved | GoalDeleted | GoalProblem


def save_result_from_data(data: Mapping[str, Any]) -> SaveResult:
    kind = str(data["__typename"])
    if kind == "GoalSaved":
        return GoalSaved(
            client_id=str(data["clientId"]),
            created=bool(data["created"]),
            goal=Goal.from_data(data["goal"]),
        )
    if kind == "GoalDeleted":
        return GoalDeleted(client_id=str(data["clientId"]), id=str(data["id"]))
    current = data.get("current")
    return GoalProblem(
        kind=kind,
        client_id=str(data["clientId"]),
        code=str(data["code"]),
        message=str(data["message"]),
        retryable=bool(data["retryable"]),
        field_errors=tuple(
            FieldError(field=str(e["field"]), message=str(e["message"]))
            for e in data.get("fieldErrors") or ()
        ),
        current=Goal.from_data(current) if current else None,
        status=data.get("status"),
    )


@dataclass(frozen=True)
class WeightTotals:
    performance: float
    competency: float
    core_value: float

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> WeightTotals:
        return cls(
            performance=float(data["performance"]),
            competency=float(data["competency"]),
            core_value=float(data["coreValue"]),
        )


@dataclass(frozen=True)
class BatchResult:
    """One result per item, in the order the items were sent."""

    results: tuple[SaveResult, ...]
    saved_count: int
    failed_count: int
    weight_totals: WeightTotals

    @property
    def saved(self) -> list[GoalSaved | GoalDeleted]:
        return [r for r in self.results if not isinstance(r, GoalProblem)]

    @property
    def failed(self) -> list[GoalProblem]:
        return [r for r in self.results if isinstance(r, GoalProblem)]


@dataclass(frozen=True)
class GoalItem:
    """One item of a batch. No `id` means create; `patch` uses API or Python field names."""

    client_id: str
    category: Category | None = None
    patch: Patch | None = None
    id: str | None = None
    expected_version: int | None = None
    delete: bool = False

    def to_input(self) -> dict[str, Any]:
        item: dict[str, Any] = {"clientId": self.client_id}
        if self.id is not None:
            item["id"] = self.id
        if self.expected_version is not None:
            item["expectedVersion"] = self.expected_version
        if self.delete:
            item["delete"] = True
        if self.patch is not None:
            if self.category is None:
                raise ValueError("a patch needs its category")
            item[PATCH_FIELD[self.category]] = normalize_patch(self.patch)
        return item


@dataclass(frozen=True)
class Competency:
    id: str
    name: str
    ideal_actions: tuple[str, ...]


@dataclass(frozen=True)
class Period:
    id: str
    name: str
    status: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class OrgInfo:
    """The org context the client caches per slug (the org slug cache)."""

    slug: str
    name: str
    competencies: tuple[Competency, ...]
    periods: tuple[Period, ...]

    def period(self, period_id: str) -> Period | None:
        return next((p for p in self.periods if p.id == period_id), None)

    @property
    def active_periods(self) -> list[Period]:
        return [p for p in self.periods if p.status == "ACTIVE"]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> OrgInfo:
        return cls(
            slug=str(data["slug"]),
            name=str(data["name"]),
            competencies=tuple(
                Competency(
                    id=str(c["id"]), name=str(c["name"]), ideal_actions=tuple(c["idealActions"])
                )
                for c in data["competencies"]
            ),
            periods=tuple(
                Period(
                    id=str(p["id"]),
                    name=str(p["name"]),
                    status=str(p["status"]),
                    starts_on=date.fromisoformat(str(p["startsOn"])),
                    ends_on=date.fromisoformat(str(p["endsOn"])),
                )
                for p in data["periods"]
            ),
        )


@dataclass(frozen=True)
class Membership:
    role: str
    org_slug: str
    org_name: str


@dataclass(frozen=True)
class Me:
    id: str
    email: str
    name: str
    memberships: tuple[Membership, ...]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Me:
        return cls(
            id=str(data["id"]),
            email=str(data["email"]),
            name=str(data["name"]),
            memberships=tuple(
                Membership(
                    role=str(m["role"]),
                    org_slug=str(m["organization"]["slug"]),
                    org_name=str(m["organization"]["name"]),
                )
                for m in data["memberships"]
            ),
        )


@dataclass(frozen=True)
class SubmitProblem:
    """Why a submit was refused: NO_GOALS, INCOMPLETE (with the goal) or WEIGHTS_NOT_100."""

    code: str
    message: str
    goal: Goal | None


@dataclass(frozen=True)
class SubmitResult:
    submitted: bool
    goals: tuple[Goal, ...]
    problems: tuple[SubmitProblem, ...]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> SubmitResult:
        return cls(
            submitted=bool(data["submitted"]),
            goals=tuple(Goal.from_data(g) for g in data["goals"]),
            problems=tuple(
                SubmitProblem(
                    code=str(p["code"]),
                    message=str(p["message"]),
                    goal=Goal.from_data(p["goal"]) if p.get("goal") else None,
                )
                for p in data["problems"]
            ),
        )


Decision = Literal["APPROVE", "RETURN"]


@dataclass(frozen=True)
class GoalReview:
    """A supervisor's last decision on a goal (`Goal.review`)."""

    decision: Decision
    comment: str | None
    reviewer_id: str | None
    reviewer_name: str | None
    reviewed_at: datetime

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> GoalReview | None:
        if data is None:
            return None
        reviewer = data.get("reviewer") or {}
        return cls(
            decision="RETURN" if data["decision"] == "RETURN" else "APPROVE",
            comment=data.get("comment"),
            reviewer_id=reviewer.get("id"),
            reviewer_name=reviewer.get("name"),
            reviewed_at=datetime.fromisoformat(str(data["reviewedAt"])),
        )


@dataclass(frozen=True)
class ReviewItem:
    """One decision of a `review_goals` batch; RETURN needs a comment."""

    client_id: str
    goal_id: str
    decision: Decision
    expected_version: int | None = None
    comment: str | None = None

    def to_input(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "clientId": self.client_id,
            "goalId": self.goal_id,
            "decision": self.decision,
        }
        if self.expected_version is not None:
            value["expectedVersion"] = self.expected_version
        if self.comment is not None:
            value["comment"] = self.comment
        return value


@dataclass(frozen=True)
class GoalReviewed:
    client_id: str
    goal: Goal
    review: GoalReview


ReviewResult = GoalReviewed | GoalProblem


def _goal_and_review(data: Mapping[str, Any]) -> tuple[Goal, GoalReview | None]:
    """A goal selected with its `review` (and `owner`): the extras are not goal fields."""
    rest = {k: v for k, v in data.items() if k not in ("review", "owner")}
    return Goal.from_data(rest), GoalReview.from_data(data.get("review"))


def review_result_from_data(data: Mapping[str, Any]) -> ReviewResult:
    if data["__typename"] == "GoalReviewed":
        goal, review = _goal_and_review(data["goal"])
        assert review is not None  # a reviewed goal has its review
        return GoalReviewed(client_id=str(data["clientId"]), goal=goal, review=review)
    problem = save_result_from_data(data)
    assert isinstance(problem, GoalProblem)
    return problem


@dataclass(frozen=True)
class ReviewBatchResult:
    """One result per decision, in the order the items were sent."""

    results: tuple[ReviewResult, ...]
    reviewed_count: int
    failed_count: int

    @property
    def reviewed(self) -> list[GoalReviewed]:
        return [r for r in self.results if isinstance(r, GoalReviewed)]

    @property
    def failed(self) -> list[GoalProblem]:
        return [r for r in self.results if isinstance(r, GoalProblem)]


@dataclass(frozen=True)
class TeamGoal:
    """A direct report's goal, with its owner and last review (`teamGoals`)."""

    goal: Goal
    owner_id: str
    owner_name: str
    owner_email: str
    review: GoalReview | None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> TeamGoal:
        goal, review = _goal_and_review(data)
        owner = data["owner"]
        return cls(
            goal=goal,
            owner_id=str(owner["id"]),
            owner_name=str(owner["name"]),
            owner_email=str(owner["email"]),
            review=review,
        )
