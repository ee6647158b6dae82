"""flows.memory: Arrow's buffers from the system allocator in every orderbridge process (and the
processes it starts), and each stage's freed memory handed back when it ends, also when it fails."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flows import memory
from tests.support import REPO


def _pool_in_child(env: dict[str, str]) -> str:
    code = ("from flows.memory import use_system_allocator; import pyarrow as pa; use_system_allocator(); "
            "import os; print(pa.default_memory_pool().backend_name, os.environ['ARROW_DEFAULT_MEMORY_POOL'])")
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_orderbridge_processes_use_the_system_allocator_unless_told_otherwise():
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    assert _pool_in_child(env) == "system system"  # pyarrow imported first: the pool is set directly too
    assert _pool_in_child({**env, "ARROW_DEFAULT_MEMORY_POOL": "jemalloc"}).split()[1] == "jemalloc"


def test_a_stage_gives_memory_back_when_it_ends_and_when_it_fails(monkeypatch):
    given: list[str] = []
    monkeypatch.setattr(memory, "give_back", lambda: given.append("back"))

    @memory.gives_back
    def stage(fail: bool) -> str:
        given.append("stage")
        if fail:
            raise RuntimeError("boom")
        return "done"

    assert stage(False) == "done" and given == ["stage", "back"]
    with pytest.raises(RuntimeError):
        stage(True)
    assert given == ["stage", "back", "stage", "back"]


def test_give_back_runs_here():
    memory.give_back()  # a collection, Arrow's release_unused and glibc's malloc_trim: none may raise
    assert memory._malloc_trim() is not None or not sys.platform.startswith("linux")


def test_every_stage_of_the_night_gives_back():
    from flows import night

    for name in ("intake_stage", "decide_stage", "deliver_stage", "ship_stage", "invoice_stage", "reconcile_stage"):
        assert getattr(night, name).__wrapped__.__name__ == name
