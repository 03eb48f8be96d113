"""Writing the files a user asked for, without ever clobbering something that is not ours."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from retreat.errors import SessionError, UsageError
from retreat.i18n import _
from retreat.meeting.store import SaveError, is_session, seal

# What SQLite may keep beside a session: none of an earlier session's may outlive it.
_SIDE_FILES = ("-wal", "-shm", "-journal")


class WriteError(UsageError):
    """A file could not be written; `reason` says why (the system's words)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def check_replaceable(path: Path) -> None:
    """Refuse to replace anything at `path` but an earlier session."""
    if path.exists() and (path.is_dir() or not is_session(path)):
        raise SessionError(
            _("{path} exists and is not a retreat session; move it away or use --out DIR").format(path=path)
        )


def replace_session(path: Path) -> None:
    """Remove an earlier session at `path` so it can be written anew; refuse anything else."""
    check_replaceable(path)
    for suffix in ("", *_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def session_aside(path: Path) -> Iterator[Path]:
    """Build a session beside `path` and put it in place only once it is complete.

    Yields a new temporary path in the same folder to create the session at. When the block
    ends normally, that session is sealed (one self-contained file, on disk) and renamed
    over `path` in one step, replacing an earlier session there. When the block or the
    sealing fails (a full disk, Ctrl-C), the temporary files are removed and `path` is left
    as it was; a failure to write is a SessionError naming `path`."""
    check_replaceable(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    existed = path.exists()
    try:
        yield tmp
        seal(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        # An earlier session's -wal or journal beside the new file would be read as part of it.
        for suffix in _SIDE_FILES:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, path)
        _sync_folder(path.parent)
    except BaseException as e:
        for suffix in ("", *_SIDE_FILES):
            with contextlib.suppress(OSError):
                Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        if isinstance(e, (SaveError, OSError)):
            reason = e.reason if isinstance(e, SaveError) else e.strerror or str(e)
            if existed:
                message = _("could not write {path}: {reason}; the earlier {name} is left as it was")
            else:
                message = _("could not write {path}: {reason}; nothing was written")
            raise SessionError(message.format(path=path, reason=reason, name=path.name)) from None
        raise


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (where the system allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


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
        reason = e.strerror or str(e)
        message = _("cannot write {path}: {reason}").format(path=path, reason=reason)
        if isinstance(e, PermissionError) and sys.platform == "win32":
            # Windows refuses to replace a file another program holds open (Word, WPS, Excel).
            message += _("; if it is open in another program (Word, WPS, a browser), close it there and try again")
        raise WriteError(message, reason) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))
