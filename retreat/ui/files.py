"""Writing the files a user asked for, without ever clobbering something that is not ours."""

from __future__ import annotations

import os
import stat
import tempfile
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


def write_bytes(path: Path, data: bytes) -> None:
    """Write atomically: a crash mid-write leaves the old file, never half a new one.

    A target that is not a regular file (`-o /dev/stdout`, `/dev/null`, a pipe) is written
    in place: renaming over it would replace a device with a file.
    """
    try:
        if path.exists() and not stat.S_ISREG(path.stat().st_mode):
            if path.is_dir():
                raise UsageError(_("cannot write {path}: it is a folder").format(path=path))
            with path.open("wb") as f:
                f.write(data)
            return
        # mkstemp makes 0600 files; minutes are shared documents: keep the old file's mode,
        # else what the user's umask gives a new file.
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise UsageError(
            _("cannot write {path}: {reason}").format(path=path, reason=e.strerror or e)
        ) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))
