"""What the throwaway servers share: `with` support, log tails, folder checks."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Self

from pipeline.devservers.scratch import untraversable_parents


class LocalServer:
    """A server started by start() and stopped by stop(), or used with `with`."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def log_tail(path: Path, lines: int) -> str:
    """The last `lines` lines of a log file ("" when it does not exist yet)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def require_traversable(root: Path, error: type[Exception], who: str) -> None:
    """Raise `error` naming the folders above `root` that `who` cannot enter."""
    blocked = untraversable_parents(root)
    if blocked:
        names = ", ".join(str(p) for p in blocked)
        raise error(f"{who} cannot enter {names}; put the server root under a folder others "
                    "can traverse (scratch.make_traversable_dir)")


def prepare_root(root: Path, as_root: bool, error: type[Exception], who: str) -> None:
    """Create the server folder; started by root, make it enterable by `who`."""
    root.mkdir(parents=True, exist_ok=True)
    if as_root:
        root.chmod(0o755)
        require_traversable(root, error, who)
