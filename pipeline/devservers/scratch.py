"""Scratch directories that unprivileged service users can enter.

Dovecot started as root runs its login, auth and mail processes under other
uids, which must be able to traverse every folder leading to the server's
files; pytest's `tmp_path` and `tempfile.mkdtemp()` are mode 0700, so they
cannot hold a Dovecot root.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

DEFAULT_PARENT = Path(tempfile.gettempdir()) / "jht-intake-dev"


class ScratchError(RuntimeError):
    """A directory cannot be made traversable for other users."""


def untraversable_parents(path: Path) -> list[Path]:
    """The folders from `/` down to `path` that others cannot enter (no o+x)."""
    blocked: list[Path] = []
    for folder in [*reversed(path.resolve().parents), path.resolve()]:
        try:
            mode = folder.stat().st_mode
        except FileNotFoundError:
            continue
        if not mode & stat.S_IXOTH:
            blocked.append(folder)
    return blocked


def make_traversable_dir(prefix: str = "dev-", parent: Path = DEFAULT_PARENT) -> Path:
    """Create a fresh directory, mode 0755, under `parent` (created 0755 if missing).

    Raises ScratchError when a folder above `parent` is closed to others,
    naming it, because servers would then fail later with a vaguer message.
    """
    parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask, and the parent may predate us.
    if parent.stat().st_uid == os.getuid():
        parent.chmod(parent.stat().st_mode | 0o755)
    blocked = untraversable_parents(parent)
    if blocked:
        names = ", ".join(str(p) for p in blocked)
        raise ScratchError(f"other users cannot enter {names}; choose another parent folder")
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    path.chmod(0o755)
    return path
