"""AutoSaver: docs/autosave.md's auto-save algorithm, one batched request per save cycle.

How it works, in one place:
- `edit`/`add`/`delete` only record: edits to one goal coalesce into one pending patch.
- One background task (the pump) decides when a cycle starts: after `debounce` seconds without
  edits, or `max_wait` seconds after the first unsent edit, whichever comes first. A cycle sends
  every due goal in one `batchSaveGoals` (or, in `per_goal` mode, one `saveGoal` per goal, the
  baseline). The pump sends one request at a time, so at most one is ever in flight.
- Each result updates only its own goal: saved goals record the server id and version (later
  edits become updates with `expectedVersion`), retryable failures come back after an
  exponential backoff with jitter, other failures wait in `error` for the app (next edit,
  `retry()`, or `resolve_conflict()`).
- The clock, the sleep and the jitter source are parameters, so tests run on virtual time.

Where each part lives:
- `state`: the per-goal state machine (tracked goals, coalesced edits, states, conflicts, events).
- `pump`: the timing (debounce, max_wait, backoff with jitter, one request in flight, the task).
- `transport`: the requests (`batchSaveGoals` / `saveGoal` items) and what each answer means.
- `saver`: `AutoSaver`, the app's calls wired to the three.
"""

from goalpost.client.autosave.patches import patch_applied
from goalpost.client.autosave.pump import Clock, Sleep, backoff_delay
from goalpost.client.autosave.saver import AutoSaver
from goalpost.client.autosave.state import AutoSaveEvent, GoalSaveState, Listener, SaveState
from goalpost.client.autosave.transport import Mode

__all__ = [
    "AutoSaveEvent",
    "AutoSaver",
    "Clock",
    "GoalSaveState",
    "Listener",
    "Mode",
    "SaveState",
    "Sleep",
    "backoff_delay",
    "patch_applied",
]
