"""Atomic writes: all or nothing, and never over a device or a pipe."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from alignkg.files import atomic_writer


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "graph.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_writer(target) as out:
        out.write("half of the new")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.json"]


def test_a_pipe_is_written_through_not_replaced(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text()))
    reader.start()
    with atomic_writer(pipe) as out:
        out.write("streamed")
    reader.join(timeout=10)
    assert received == ["streamed"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    target = tmp_path / "dump.ttl"
    umask = os.umask(0o022)
    try:
        with atomic_writer(target) as out:
            out.write("x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_temporaries_of_killed_runs_are_removed_by_the_next_write(tmp_path):
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(gone.stdout)
    target = tmp_path / "x.jsonl"
    stale = tmp_path / f".x.jsonl.{dead_pid}.abcd1234.tmp"
    live = tmp_path / f".x.jsonl.{os.getppid()}.efgh5678.tmp"  # a running process's
    other = tmp_path / f".y.jsonl.{dead_pid}.abcd1234.tmp"  # another file's
    for path in (stale, live, other):
        path.write_text("half")
    with atomic_writer(target) as out:
        out.write("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, live.name, other.name]
    )
