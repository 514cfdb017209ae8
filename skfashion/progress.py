"""Progress lines for people: every command's timed steps, on stderr."""

from __future__ import annotations

import sys
import time

__all__ = ["Log"]


class Log:
    """Progress for people: timed steps on stderr; silent when ``quiet``."""

    def __init__(self, quiet: bool = False, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stderr

    @property
    def keras_verbose(self) -> int:
        """Keras' bars on a terminal, one line per epoch elsewhere."""
        if self.quiet:
            return 0
        return 1 if self.stream.isatty() else 2

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    def step(self, title: str):
        return _Step(self, title)


class _Step:
    """A timed step of a :class:`Log` (``with log.step(title):``)."""

    def __init__(self, log, title):
        self.log, self.title = log, title

    def __enter__(self):
        self.start = time.perf_counter()
        self.log(f"{self.title} ...")
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        if exc[0] is None:
            self.log(f"{self.title}: done in {self.seconds:.1f} s")
