"""Writing the files a user asked for, without ever clobbering something that is not ours."""

from __future__ import annotations

import os
from pathlib import Path

from retreat.errors import SessionError, UsageError
from retreat.i18n import _
from retreat.store import is_session


def replace_session(path: Path) -> None:
    """Remove an earlier session at `path` so it can be written anew; refuse anything else."""
    if not path.exists():
        return
    if path.is_dir() or not is_session(path):
        raise SessionError(
            _("{path} exists and is not a retreat session; move it away or use --out DIR").format(path=path)
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write atomically: a crash mid-write leaves the old file, never half a new one."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise UsageError(_("cannot write {path}: {reason}").format(path=path, reason=e.strerror)) from None
