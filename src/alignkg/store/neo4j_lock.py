"""One loader per Neo4j database: a lock node, held for the whole load.

Taking the lock is creating `(:AlignkgLoadLock {name: "load"})` in a transaction of its
own; a uniqueness constraint on `name` makes a second creation fail, so of two loads
started at once exactly one gets it. The node says who holds it (host, pid, start) and
carries a heartbeat the holder refreshes every HEARTBEAT seconds; the holder deletes it at
the end. A lock whose holder died is stale and taken over: at once when the holder ran on
this host and its process is gone, else when its heartbeat is older than STALE_AFTER.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from neo4j import Driver
from neo4j.exceptions import ConstraintError

from alignkg.errors import AlignkgError

log = logging.getLogger(__name__)

LOCK_LABEL = "AlignkgLoadLock"
LOCK_NAME = "load"
HEARTBEAT = 5.0  # seconds between heartbeats of the holder
STALE_AFTER = 60.0  # seconds without a heartbeat after which a lock is stale

CONSTRAINT = (
    f"CREATE CONSTRAINT alignkg_load_lock IF NOT EXISTS "
    f"FOR (l:{LOCK_LABEL}) REQUIRE l.name IS UNIQUE"
)
_TAKE = (
    f"CREATE (l:{LOCK_LABEL} {{name: $name, token: $token, host: $host, pid: $pid, "
    "since: datetime(), heartbeat: datetime()})"
)
_HOLDER = (
    f"MATCH (l:{LOCK_LABEL} {{name: $name}}) RETURN l.token AS token, l.host AS host, "
    "l.pid AS pid, toString(l.since) AS since, "
    "duration.inSeconds(l.heartbeat, datetime()).seconds AS silent"
)
_BEAT = f"MATCH (l:{LOCK_LABEL} {{name: $name, token: $token}}) SET l.heartbeat = datetime()"
_DROP = f"MATCH (l:{LOCK_LABEL} {{name: $name, token: $token}}) DELETE l"


class LoadLocked(AlignkgError):
    """Another load holds the database's lock."""

    exit_code = 2


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def is_stale(holder: dict[str, Any], host: str | None = None) -> bool:
    """Dead on this host, or silent for longer than STALE_AFTER."""
    if holder["host"] == (host or socket.gethostname()) and not _pid_alive(holder["pid"]):
        return True
    return holder["silent"] is not None and holder["silent"] > STALE_AFTER


class LoadLock:
    def __init__(self, driver: Driver, database: str | None = None, where: str = "Neo4j"):
        self.driver = driver
        self.database = database
        self.where = where
        self.token = uuid.uuid4().hex
        self.stale_holder: dict[str, Any] | None = None  # the dead holder taken over, if any
        self._stop = threading.Event()
        self._beater: threading.Thread | None = None

    def _query(self, query: str, **params: Any) -> list:
        records, _, _ = self.driver.execute_query(
            query, {"name": LOCK_NAME, **params}, database_=self.database
        )
        return records

    def holder(self) -> dict[str, Any] | None:
        records = self._query(_HOLDER)
        return dict(records[0]) if records else None

    def acquire(self) -> None:
        self._query(CONSTRAINT)
        for _ in range(3):  # a stale lock is dropped, then taken; a race may need one more go
            try:
                self._query(_TAKE, token=self.token, host=socket.gethostname(), pid=os.getpid())
            except ConstraintError:
                holder = self.holder()
                if holder is None:
                    continue  # released in between
                if not is_stale(holder):
                    raise LoadLocked(
                        f"another alignkg load is writing to {self.where} (pid {holder['pid']} "
                        f"on {holder['host']}, since {holder['since']}); wait for it to end"
                    ) from None
                self._query(_DROP, token=holder["token"])
                self.stale_holder = holder
                log.warning(
                    "took over the load lock of %s from a load that died (pid %s on %s, "
                    "since %s); what it wrote is replaced now",
                    self.where,
                    holder["pid"],
                    holder["host"],
                    holder["since"],
                )
                continue
            self._beater = threading.Thread(target=self._beat, name="alignkg-lock", daemon=True)
            self._beater.start()
            return
        raise LoadLocked(f"could not take the load lock of {self.where}; try again")

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT):
            with contextlib.suppress(Exception):  # a missed beat only ages the lock
                self._query(_BEAT, token=self.token)

    def release(self) -> None:
        self._stop.set()
        if self._beater is not None:
            self._beater.join()
        self._query(_DROP, token=self.token)


@contextmanager
def load_lock(driver: Driver, database: str | None = None, where: str = "Neo4j") -> Iterator:
    lock = LoadLock(driver, database, where)
    lock.acquire()
    try:
        yield lock
    except BaseException:
        with contextlib.suppress(Exception):  # the load's own error is the one to tell
            lock.release()
        raise
    lock.release()
