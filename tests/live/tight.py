"""A live server of its own with an outbound bound of a few messages (docs/live.md): a batch
of more items than that leaves more notices waiting for one socket than it may hold, so the
socket is closed with LIVE_OVERFLOW whatever the kernel's buffers would have taken."""

from __future__ import annotations

from goalpost.config import Settings

QUEUE_NOTICES = 3
OVERFLOW = (1013, "LIVE_OVERFLOW")


def tight_settings(database_url: str) -> Settings:
    return Settings(
        env="dev",
        database_url=database_url,
        live_ping_seconds=0,
        live_socket_queue_notices=QUEUE_NOTICES,
    )
