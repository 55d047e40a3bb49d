"""Measure 5: a pyinstrument profile of 100-item batches, at the server.

The server profiles only requests that carry `x-bench-profile: 1` (async mode: time a
coroutine spends awaiting, the database above all, shows as `[await]` under its caller).
One 100-item batch lasts a few tens of milliseconds, so many are profiled and combined; the
seeding before each is not profiled. Output: HTML and text under bench/results/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.server import PROFILE_HEADER, BenchServer
from bench.workload import Api, mixed_items

SIZE = 100


async def measure(
    server: BenchServer, runs: int, out_dir: Path, label: str, size: int = SIZE
) -> dict[str, Any]:
    await server.clear()
    for run in range(runs):
        await server.reset(users=1)
        async with Api(server.graphql_url) as api:
            prefix = f"p{run}"
            items = mixed_items(size, await api.seed(prefix, size), prefix)
            await api.batch(items, headers={PROFILE_HEADER.decode(): "1"})
    html = out_dir / f"profile_batch{size}_{label}.html"
    text = out_dir / f"profile_batch{size}_{label}.txt"
    session = out_dir / f"profile_batch{size}_{label}.pyisession"
    summary: dict[str, Any] = await server.control(
        "profile", html=str(html), text=str(text), session=str(session)
    )
    return {"batch_size": size, "html": html.name, "text": text.name, **summary}
