"""Content-addressed archive of raw messages on disk.

A message is written here before anything else happens to it, so that a
crash at any later point can resume from these bytes without refetching.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Archive:
    """Files named by the SHA-256 of their bytes: writing twice is harmless."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:4] / f"{digest}.eml"

    def put(self, data: bytes) -> str:
        """Store `data` durably and return its digest (idempotent)."""
        digest = sha256_hex(data)
        target = self.path_for(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write aside, fsync, then rename: a crash never leaves a torn file
        # under the final name.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes:
        data = self.path_for(digest).read_bytes()
        if sha256_hex(data) != digest:
            raise ArchiveCorrupt(f"archived message {digest[:12]} does not match its digest")
        return data


class ArchiveCorrupt(Exception):
    reason = "archive_corrupt"
