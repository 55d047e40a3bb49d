"""Virtual time for AutoSaver tests: debounce and backoff without waiting or timed asserts."""

from __future__ import annotations

import asyncio
import heapq
import itertools


class VirtualClock:
    """Virtual time for AutoSaver: pass `clock=vc.now, sleep=vc.sleep`.

    Manual (default): sleepers wait until a test calls `advance()`. With `auto=True` every
    sleep returns at once and moves time forward by its delay (for backoff tests).
    """

    def __init__(self, start: float = 0.0, *, auto: bool = False) -> None:
        self._now = start
        self.auto = auto
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, delay: float) -> None:
        delay = max(0.0, delay)
        self.sleeps.append(delay)
        if self.auto:
            self._now += delay
            await asyncio.sleep(0)
            return
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + delay, next(self._seq), wake))
        await wake

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking each sleeper at its own due time, in order."""
        target = self._now + seconds
        await _let_tasks_run()
        while self._sleepers:
            due, _, wake = self._sleepers[0]
            if wake.done():
                heapq.heappop(self._sleepers)
                continue
            if due > target:
                break
            heapq.heappop(self._sleepers)
            self._now = max(self._now, due)
            wake.set_result(None)
            await _let_tasks_run()
        self._now = target
        await _let_tasks_run()


async def _let_tasks_run(rounds: int = 20) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)
