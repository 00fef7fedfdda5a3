"""A progress bar on stderr for the commands that train or measure."""

from __future__ import annotations

__all__ = ["ProgressBar"]


class ProgressBar:
    """A rich progress bar on stderr, shown from the first ``update(done, total)`` on.

    Starting it lazily keeps an input error before any work to a single line.
    """

    def __init__(self, label: str):
        self.label = label
        self.bar = None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                console=Console(stderr=True), transient=True,
            )
            self.task = self.bar.add_task(self.label, total=total)
            self.bar.start()
        self.bar.update(self.task, completed=done, total=total)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.bar is not None:
            self.bar.stop()
