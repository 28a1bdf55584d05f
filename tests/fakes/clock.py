"""A manual clock and sleep, shared by a test, the GitHub client and the fake GitHub."""

from __future__ import annotations

import asyncio
import threading
import time


class FakeClock:
    """`clock()` is the current epoch time; `await clock.sleep(s)` advances it instantly."""

    def __init__(self, start: float | None = None) -> None:
        self._now = float(int(time.time())) if start is None else start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)

    @property
    def slept(self) -> float:
        return sum(self.sleeps)
