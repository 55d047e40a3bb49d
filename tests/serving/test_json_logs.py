"""GOALPOST_LOG_FORMAT=json: every line `goalpost serve` writes is one JSON object, uvicorn's
own start-up, warning, access and shutdown lines included (docs/http.md)."""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any

from goalpost.testing import ServerProcess


def test_every_line_of_a_served_run_is_one_json_object(served: ServerProcess) -> None:
    """A run: start-up (both workers), requests (one of them a 404), a request uvicorn cannot
    parse (its warning line), shutdown. ServerProcess asks for JSON and merges stderr into
    the log."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    for path in ("/healthz", "/no-such-page", "/readyz"):
        connection.request("GET", path)
        connection.getresponse().read()
    connection.close()
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as raw:
        raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        raw.recv(1024)
    served.stop()

    lines = served.log_path.read_text().splitlines()
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        entry = json.loads(line)  # fails on the first line that is not JSON
        assert isinstance(entry, dict), f"line {number}: {line}"
        entries.append(entry)
    events = [str(entry.get("event")) for entry in entries]

    def logged(text: str) -> int:
        return sum(text in event for event in events)

    assert logged("Started parent process") == 1, events
    assert logged("Application startup complete") == 2, events
    assert logged("Invalid HTTP request received") >= 1, events
    assert logged("Finished server process") == 2, events
    access = [e for e in entries if e.get("logger") == "uvicorn.access"]
    assert {(e["path"], e["status"]) for e in access} >= {
        ("/healthz", 200),
        ("/no-such-page", 404),
        ("/readyz", 200),
    }, access
    assert all("level" in e and "timestamp" in e and "process" in e for e in entries), entries
