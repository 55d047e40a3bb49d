"""Live changes (docs/live.md): notices of committed goal events for the people who may see them.

`LiveChanges` (feed.py) reads committed events from goal_events in the change feed's order
and hands each to the subscribers who may see its goal. It reads when woken: on SQLite by
the process's own commits (`wake_after_commits`), on PostgreSQL by NOTIFY (listen.py), which
the database sends on commit only, whichever process wrote.
"""

from goalpost.services.live.feed import (
    GoalChangeNotice,
    LiveChanges,
    LiveOverflow,
    Subscription,
    Viewer,
    wake_after_commits,
)
from goalpost.services.live.listen import CHANNEL, NotifyListener

__all__ = [
    "CHANNEL",
    "GoalChangeNotice",
    "LiveChanges",
    "LiveOverflow",
    "NotifyListener",
    "Subscription",
    "Viewer",
    "wake_after_commits",
]
