"""Every log line is written whole: the workers of `goalpost serve` share one stdout, and a
line written in two pieces (its text, then its newline) could be split by another worker's
line when stdout is unbuffered (PYTHONUNBUFFERED), leaving two JSON objects on one line."""

from __future__ import annotations

import io
import json

from goalpost.logging import configure_logging, log, logs_to


class RecordedWrites(io.StringIO):
    """A stream that keeps each write call apart."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def test_each_log_line_is_one_write_with_its_newline() -> None:
    configure_logging(json=True)
    stream = RecordedWrites()
    with logs_to(stream):
        log.info("http_request", route="/graphql", status=200)
        log.info("batch_saved", saved=3)
    assert len(stream.writes) == 2, stream.writes
    assert all(w.endswith("\n") and w.count("\n") == 1 for w in stream.writes), stream.writes
    assert [json.loads(w)["event"] for w in stream.writes] == ["http_request", "batch_saved"]
