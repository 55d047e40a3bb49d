"""The language-neutral auto-save cases (clients/autosave-cases/cases.json) on the Python saver.

Each case drives the real `AutoSaver` and `GoalpostClient` on virtual time. The server is
scripted: an `httpx.MockTransport` (passed through GoalpostClient's httpx options into gql's
httpx transport) answers `MyGoals` from the case's goals and holds every `batchSaveGoals` until
the case says what it answers, so each request, and each answer, is the case's to check and to
choose. The TypeScript saver runs the same file (clients/autosave-cases/README.md says how).

The saver runs in milliseconds here: its clock, its sleeps and its durations (debounce,
max-wait, backoff) are the file's integer milliseconds, so virtual time is exact.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from goalpost.client import AutoSaver, Goal, GoalpostClient
from goalpost.testing import VirtualClock

CASES_DIR = Path(__file__).resolve().parents[2] / "clients" / "autosave-cases"
FILE: dict[str, Any] = json.loads((CASES_DIR / "cases.json").read_text())
SCHEMA: dict[str, Any] = json.loads((CASES_DIR / "cases.schema.json").read_text())
URL = "http://goalpost.test/graphql"

# What the runner fills in a goal the case leaves partly unsaid (the GoalFields shape).
TYPENAMES = {
    "PERFORMANCE": "PerformanceGoal",
    "COMPETENCY": "CompetencyGoal",
    "CORE_VALUE": "CoreValueGoal",
}
CATEGORY_FIELDS: dict[str, dict[str, Any]] = {
    "PERFORMANCE": {
        "title": None,
        "goalType": None,
        "specificGoal": None,
        "achievementCriteria": None,
        "meansMethods": None,
    },
    "COMPETENCY": {"competencyIds": [], "selectedIdealActions": [], "actionPlan": None},
    "CORE_VALUE": {"coreValuePlan": None},
}
TIMESTAMP = "2026-01-01T00:00:00+00:00"


def test_the_case_file_matches_its_schema() -> None:
    """A malformed case must fail here, not pass vacuously in one language and not the other."""
    errors = schema_errors(FILE, SCHEMA)
    assert errors == [], "\n".join(errors)


def schema_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    """The outline check, and the schema with whichever JSON Schema library is installed
    (jsonschema-rs comes with the dev dependencies; no library is added for this)."""
    errors = outline_errors(instance)
    try:
        import jsonschema_rs
    except ImportError:
        pass
    else:
        validator = jsonschema_rs.validator_for(schema)
        found = validator.iter_errors(instance)
        return errors + [f"{list(e.instance_path)}: {e.message}" for e in found]
    try:
        jsonschema = importlib.import_module("jsonschema")
    except ImportError:
        return errors
    found = jsonschema.Draft202012Validator(schema).iter_errors(instance)
    return errors + [f"{list(e.absolute_path)}: {e.message}" for e in found]


def outline_errors(instance: Any) -> list[str]:
    """What a schema cannot say (names unique), and the structural minimum when no schema
    library is installed: every step of a kind the runner knows."""
    errors: list[str] = []
    names = [case.get("name") for case in instance.get("cases", [])]
    if len(set(names)) != len(names) or not all(isinstance(n, str) for n in names):
        errors.append("case names must be unique strings")
    for case in instance.get("cases", []):
        for step in case.get("steps", []):
            if step.get("do") not in STEPS:
                errors.append(f"{case.get('name')}: unknown step {step!r}")
    return errors


# -- the scripted server --------------------------------------------------------------------------


@dataclass
class HeldRequest:
    """A batchSaveGoals the saver sent; the case checks it, then answers it."""

    items: list[dict[str, Any]]
    answer: asyncio.Future[httpx.Response]
    expected: bool = False


@dataclass
class ScriptedServer:
    org_slug: str
    period_id: str
    goals: list[dict[str, Any]]
    requests: list[HeldRequest] = field(default_factory=list)
    closing: bool = False

    async def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        match = re.search(r"\b(?:query|mutation)\s+(\w+)", body["query"])
        operation = match.group(1) if match else None
        variables = body.get("variables") or {}
        if operation == "MyGoals":
            period = {"myGoals": self.goals}
            return httpx.Response(200, json={"data": {"organization": {"period": period}}})
        if operation != "BatchSaveGoals":
            raise AssertionError(f"the saver sent an operation no case scripts: {operation}")
        batch = variables["input"]
        assert (batch["orgSlug"], batch["periodId"]) == (self.org_slug, self.period_id)
        if self.closing:  # after the last step: end whatever the saver still sends
            return graphql_errors([{"message": "case over", "extensions": {"code": "CASE_OVER"}}])
        held = HeldRequest(batch["items"], asyncio.get_running_loop().create_future())
        self.requests.append(held)
        return await held.answer

    def unexpected(self) -> list[HeldRequest]:
        return [r for r in self.requests if not r.expected]

    def unanswered(self) -> list[HeldRequest]:
        return [r for r in self.requests if not r.answer.done()]


def graphql_errors(errors: list[dict[str, Any]]) -> httpx.Response:
    return httpx.Response(200, json={"data": None, "errors": errors})


# -- one case -------------------------------------------------------------------------------------


class CaseRun:
    """The state of one case as it runs: the saver, the scripted server, and the goals by name."""

    def __init__(self, case: dict[str, Any]) -> None:
        self.case = case
        self.options = {**FILE["options"], **case.get("options", {})}
        self.clock = VirtualClock()
        self.names: dict[str, str] = {}  # goal name → the saver's key
        self.client_ids: dict[str, str] = {}  # goal name → clientId
        self.categories: dict[str, str] = {}
        loaded = {name: self.full_goal(name, goal) for name, goal in case.get("goals", {}).items()}
        self.loaded_ids = {goal["id"]: name for name, goal in loaded.items()}
        for name, goal in loaded.items():
            self.client_ids[name] = goal["clientId"]
            self.categories[name] = goal["category"]
        self.server = ScriptedServer(FILE["orgSlug"], FILE["periodId"], list(loaded.values()))
        self.client = GoalpostClient(
            URL, "token", transport=httpx.MockTransport(self.server.handle)
        )
        options = self.options
        self.saver = AutoSaver(
            self.client,
            FILE["orgSlug"],
            FILE["periodId"],
            debounce=options["debounceMs"],
            max_wait=options["maxWaitMs"],
            backoff_base=options["backoffBaseMs"],
            backoff_max=options["backoffMaxMs"],
            max_attempts=options["maxAttempts"],
            max_batch=options["maxBatch"],
            clock=self.clock.now,
            sleep=self.clock.sleep,
            random=lambda: float(options["jitter"]),
        )
        self.flushes: list[asyncio.Task[None]] = []

    def full_goal(self, name: str, goal: Mapping[str, Any]) -> dict[str, Any]:
        """A goal in the GoalFields shape: what the case says, the rest filled in."""
        category = goal.get("category") or self.categories[name]
        return {
            "__typename": TYPENAMES[category],
            "clientId": self.client_ids.get(name, name),
            "category": category,
            "status": "DRAFT",
            "weight": 0,
            "version": 1,
            "createdAt": TIMESTAMP,
            "updatedAt": TIMESTAMP,
            **CATEGORY_FIELDS[category],
            **goal,
        }

    def named(self, value: Any) -> Any:
        """`$name` anywhere in an expected item or an answer: that goal's clientId."""
        if isinstance(value, str) and value.startswith("$"):
            name = value[1:]
            if name not in self.client_ids:
                raise AssertionError(f"{value}: no goal of this case is called {name!r}")
            return self.client_ids[name]
        if isinstance(value, list):
            return [self.named(v) for v in value]
        if isinstance(value, dict):
            return {k: self.named(v) for k, v in value.items()}
        return value

    def name_of_client_id(self, client_id: str) -> str:
        return next(n for n, c in self.client_ids.items() if c == client_id)

    async def quiet(self) -> None:
        """Let the saver and the in-process HTTP stack run until they wait on time or on us.

        Nothing here does real I/O (MockTransport, VirtualClock), so a bounded number of event
        loop turns is enough and deterministic: every case passes with 5; 200 is a wide margin."""
        for _ in range(200):
            await asyncio.sleep(0)

    async def run(self) -> None:
        keys = await self.saver.load()
        for key in keys:
            goal_id = self.saver.state(key).id
            assert goal_id in self.loaded_ids, f"load() tracked an unknown goal {goal_id}"
            self.names[self.loaded_ids[goal_id]] = key
        assert len(keys) == len(self.loaded_ids)
        for index, step in enumerate(self.case["steps"]):
            action = STEPS.get(step.get("do"))
            if action is None:
                raise AssertionError(f"step {index}: unknown step kind {step.get('do')!r}")
            try:
                await action(self, step)
                await self.quiet()
            except AssertionError as exc:
                raise AssertionError(f"step {index} {json.dumps(step)}: {exc}") from exc
        self.check_nothing_unexpected()
        if self.server.unanswered():
            raise AssertionError("the case ended with a request left unanswered")
        for flush in self.flushes:
            assert flush.done(), "a flush() did not resolve by the end of the case"
            flush.result()

    async def close(self) -> None:
        self.server.closing = True
        for held in self.server.unanswered():
            held.answer.cancel()
        async with asyncio.timeout(10):
            await self.client.aclose()

    def check_nothing_unexpected(self) -> None:
        extra = self.server.unexpected()
        if extra:
            raise AssertionError(f"the saver sent a request the case did not expect: {extra[0]}")

    # -- the steps ----------------------------------------------------------------------------

    async def add(self, step: dict[str, Any]) -> None:
        name = step["goal"]
        assert name not in self.client_ids, f"goal name {name!r} is already used"
        key = self.saver.add(step["category"], step.get("patch") or {})
        self.names[name] = key
        self.client_ids[name] = key  # a new goal's key is its clientId
        self.categories[name] = step["category"]

    async def edit(self, step: dict[str, Any]) -> None:
        self.saver.edit(self.names[step["goal"]], step["category"], step["patch"])

    async def delete(self, step: dict[str, Any]) -> None:
        self.saver.delete(self.names[step["goal"]])

    async def wait(self, step: dict[str, Any]) -> None:
        await self.clock.advance(step["ms"])

    async def flush(self, step: dict[str, Any]) -> None:
        self.flushes.append(asyncio.ensure_future(self.saver.flush()))

    async def retry(self, step: dict[str, Any]) -> None:
        self.saver.retry(self.names[step["goal"]] if "goal" in step else None)

    async def resolve_conflict(self, step: dict[str, Any]) -> None:
        self.saver.resolve_conflict(self.names[step["goal"]], step["keep"])

    async def changed_elsewhere(self, step: dict[str, Any]) -> None:
        """A live change the app hands over: the server's goal now (None: deleted)."""
        name = step["goal"]
        current = step["current"]
        goal = None if current is None else Goal.from_data(self.full_goal(name, current))
        outcome = self.saver.changed_elsewhere(self.names[name], goal)
        assert outcome == step["outcome"], f"changed_elsewhere returned {outcome!r}"

    async def expect_request(self, step: dict[str, Any]) -> None:
        fresh = self.server.unexpected()
        assert fresh, "no request was sent"
        held = fresh[0]
        held.expected = True
        expected = self.named(step["items"])
        by_client_id = sorted(held.items, key=lambda item: str(item["clientId"]))
        assert by_client_id == sorted(expected, key=lambda item: str(item["clientId"])), (
            f"sent {held.items}"
        )
        self.check_nothing_unexpected()

    async def expect_no_request(self, step: dict[str, Any]) -> None:
        self.check_nothing_unexpected()

    async def respond(self, step: dict[str, Any]) -> None:
        waiting = [r for r in self.server.unanswered() if r.expected]
        assert waiting, "no request is waiting for an answer"
        held = waiting[0]
        if step.get("networkError"):
            held.answer.set_exception(httpx.ConnectError("the case dropped the connection"))
        elif "errors" in step:
            held.answer.set_result(graphql_errors(self.request_errors(held, step["errors"])))
        else:
            held.answer.set_result(httpx.Response(200, json=self.batch_payload(held, step)))

    def request_errors(
        self, held: HeldRequest, errors: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """GraphQL errors; `$name` in an `extensions.inputPath` is that goal's item index."""
        client_ids = [item["clientId"] for item in held.items]
        answered = []
        for error in errors:
            extensions = dict(error.get("extensions") or {})
            if "inputPath" in extensions:
                extensions["inputPath"] = [
                    client_ids.index(self.named(step)) if str(step).startswith("$") else step
                    for step in extensions["inputPath"]
                ]
            answered.append({**error, "extensions": extensions})
        return answered

    def batch_payload(self, held: HeldRequest, step: dict[str, Any]) -> dict[str, Any]:
        """The case's results by goal name, put in the order of the request's items."""
        answers = step["results"]
        names = [self.name_of_client_id(item["clientId"]) for item in held.items]
        assert sorted(answers) == sorted(names), f"the request holds {names}, answered {answers}"
        results = [self.result(name, answers[name]) for name in names]
        saved = sum(r["__typename"] in ("GoalSaved", "GoalDeleted") for r in results)
        totals = {"performance": 0, "competency": 0, "coreValue": 0}
        payload = {
            "results": results,
            "savedCount": saved,
            "failedCount": len(results) - saved,
            "weightTotals": totals,
        }
        return {"data": {"batchSaveGoals": payload}}

    def result(self, name: str, answer: dict[str, Any]) -> dict[str, Any]:
        result = {"clientId": self.client_ids[name], **self.named(answer)}
        for key in ("goal", "current"):
            if key in result:
                result[key] = self.full_goal(name, result[key])
        return result

    async def expect_flush(self, step: dict[str, Any]) -> None:
        assert self.flushes, "no flush() was started"
        assert self.flushes[-1].done() == step["done"], "the last flush() is " + (
            "done" if self.flushes[-1].done() else "still waiting"
        )

    async def expect_state(self, step: dict[str, Any]) -> None:
        for name, expected in step["goals"].items():
            key = self.names[name]
            if expected is None:
                assert key not in self.saver, f"{name} is still tracked"
                continue
            assert key in self.saver, f"{name} is not tracked"
            state = self.saver.state(key)
            seen = {
                "state": state.state,
                "id": state.id,
                "version": state.version,
                "problem": state.problem.code if state.problem else None,
                "conflictVersion": state.conflict.version if state.conflict else None,
            }
            wanted = {k: expected[k] for k in expected}
            assert {k: seen[k] for k in wanted} == wanted, f"{name}: {seen}"


Step = Callable[[CaseRun, dict[str, Any]], Awaitable[None]]
STEPS: dict[str, Step] = {
    "add": CaseRun.add,
    "edit": CaseRun.edit,
    "delete": CaseRun.delete,
    "wait": CaseRun.wait,
    "flush": CaseRun.flush,
    "retry": CaseRun.retry,
    "resolveConflict": CaseRun.resolve_conflict,
    "expectRequest": CaseRun.expect_request,
    "expectNoRequest": CaseRun.expect_no_request,
    "respond": CaseRun.respond,
    "expectState": CaseRun.expect_state,
    "expectFlush": CaseRun.expect_flush,
    "changedElsewhere": CaseRun.changed_elsewhere,
}


@pytest.mark.parametrize("case", FILE["cases"], ids=[case["name"] for case in FILE["cases"]])
async def test_case(case: dict[str, Any]) -> None:
    run = CaseRun(case)
    try:
        async with asyncio.timeout(20):  # a saver stuck waiting fails the case, not the suite
            await run.run()
    finally:
        await run.close()


async def test_an_unknown_step_kind_fails_the_case_loudly() -> None:
    """A step the runner does not know must never be skipped: the case would pass unchecked."""
    run = CaseRun({"name": "unknown", "about": "", "steps": [{"do": "expectNothingAtAll"}]})
    try:
        with pytest.raises(AssertionError, match="unknown step kind 'expectNothingAtAll'"):
            await run.run()
    finally:
        await run.close()


def test_without_a_schema_library_the_outline_check_still_catches_unknown_steps() -> None:
    bad = {"cases": [{"name": "x", "steps": [{"do": "add"}, {"do": "typo"}]}]}
    assert outline_errors(bad) == ["x: unknown step {'do': 'typo'}"]
    assert outline_errors(FILE) == []
