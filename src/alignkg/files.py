"""Writing files so that a failure never leaves a half-written one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """A text stream that becomes `path` only when the block completes.

    It writes to a temporary sibling renamed over `path` at the end. A path that exists
    and is not a regular file (/dev/stdout, a named pipe) is written directly: renaming
    over it would replace the device itself. Temporaries that killed runs left beside
    `path` are removed first.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8", newline="\n") as out:
            yield out
        return
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=_temporary_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _temporary_prefix(path: Path, pid: int | None = None) -> str:
    """Temporaries are named after their file and the writing process:
    ".graph.json.<pid>.<random>.tmp"."""
    return f".{path.name}.{os.getpid() if pid is None else pid}."


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporaries of `path` whose writing process is gone (killed runs)."""
    removed = []
    stem = f".{path.name}."
    try:
        siblings = list(path.parent.iterdir())
    except OSError:
        return removed
    for sibling in siblings:
        name = sibling.name
        if not (name.startswith(stem) and name.endswith(".tmp")):
            continue
        pid, _, _ = name[len(stem) :].partition(".")
        if pid.isdigit() and not _process_exists(int(pid)):
            with contextlib.suppress(OSError):
                sibling.unlink()
                removed.append(sibling)
    return removed


def _mode_for(path: Path) -> int:
    """The mode an ordinary write would give: the old file's, else 0666 less the umask
    (mkstemp makes its files 0600)."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: Path, text: str) -> None:
    with atomic_writer(path) as out:
        out.write(text)
