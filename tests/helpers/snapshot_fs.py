"""Evidence that a command wrote nothing: sha256, mtime and the directory listing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def fs_state(directory: Path) -> dict[str, tuple[str, int, int]]:
    """Every entry under ``directory``: (sha256 or "dir", mtime_ns, size)."""
    state: dict[str, tuple[str, int, int]] = {}
    for root, dirs, files in os.walk(directory):
        for name in dirs + files:
            path = Path(root) / name
            stat = path.lstat()
            digest = "dir"
            if path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[str(path.relative_to(directory))] = (digest, stat.st_mtime_ns, stat.st_size)
    return state
