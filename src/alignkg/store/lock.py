"""One writer per data directory: a lock file held for the whole of a build or an add.

`filelock` takes an OS lock (flock) on `DIR/.alignkg.lock`, so a killed build never
leaves a stale lock behind: the kernel releases it with the process.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from alignkg.store.base import StoreError

LOCK_FILE = ".alignkg.lock"


class StoreBusy(StoreError):
    """Another alignkg process is writing to the data directory."""


def lock_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOCK_FILE


@contextlib.contextmanager
def writing(data_dir: Path, timeout: float = 0) -> Iterator[None]:
    """Hold the data directory's writer lock for the block; wait up to `timeout` seconds
    for another writer to finish, then fail with a one-line StoreBusy."""
    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(lock_path(data_dir), timeout=timeout)
        lock.acquire()
    except Timeout:
        raise StoreBusy(
            f"another alignkg build is writing to {data_dir}; wait for it to finish"
            + (f" (waited {timeout:g}s)" if timeout else "")
            + " or pass --wait SECONDS"
        ) from None
    except OSError as err:
        if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise StoreError(
                f"cannot write to {data_dir}: the directory is not writable ({err.strerror})"
            ) from err
        raise StoreError(f"cannot lock {data_dir}: {err.strerror or err}") from err
    try:
        yield
    finally:
        lock.release()


def is_locked(data_dir: Path) -> bool:
    """Whether a writer holds the data directory now."""
    path = lock_path(data_dir)
    if not path.exists():
        return False
    try:
        with writing(data_dir, timeout=0):
            return False
    except StoreBusy:
        return True
