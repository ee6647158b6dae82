"""SIGKILL at every step boundary of a nightly run (and at random times), then a rerun: the outbox,
the state store and the night's failure report equal those of an uninterrupted night, no number is
used twice, and the killed run is on record as crashed (tests/crash_harness.py says how).

`make test` runs a bounded sweep (the step boundaries the issue names, on night 1; two on night 2;
two random kills; the killed night compared); `make crash` (ORDERBRIDGE_CRASH_SWEEP=full) kills at
every occurrence of every point of both nights and at 20 random times, through Prefect and GX too,
and runs the nights after the killed one as well.
"""

from __future__ import annotations

import os
import random

import pytest

from flows.faults import POINTS
from tests.crash_harness import NIGHTS, Baseline, Kill, crash_and_recover

FULL = os.environ.get("ORDERBRIDGE_CRASH_SWEEP") == "full"
# how often each point is reached in the demo's nights (night 1: 10 files - nine X12, one CSV -, 18
# outbox files; night 2: 5 files - three 860s and two partners' 997s -, two warehouse confirmations,
# 16 outbox files - 8 answers, four 856s and three 810s, and the 997 answering north's 945 in its warehouse
# outbox, written by its ship stage); test_the_sweep_s_counts_are_the_nights_own
# holds these to the uninterrupted nights, so the full sweep misses no occurrence and asks for none
# that never comes
REACHED = {"after-archive": (10, 5), "after-parse": (10, 5), "after-intake-commit": (10, 5),
           "mid-outbox-write": (18, 16), "after-outbox-write": (18, 16), "after-confirmation-commit": (0, 2),
           "after-mailbox-stage": (0, 0)}  # (the demo has no partner delivered through the VAN mailbox)

BOUNDED = [Kill(0, "after-archive@2"), Kill(0, "after-parse@4"), Kill(0, "after-intake-commit@3"),
           Kill(0, "after-numbering"), Kill(0, "mid-outbox-write@5"), Kill(0, "after-delivery"),
           Kill(0, "after-reconcile"), Kill(0, "mid-reports"),
           Kill(0, "before-finish"), Kill(1, "after-intake-commit@2"), Kill(1, "mid-outbox-write@2"),
           Kill(1, "after-confirmation-commit@1"), Kill(1, "after-shipping"), Kill(1, "mid-outbox-write@12")]


def _full() -> list[Kill]:
    kills = []
    for night in range(len(NIGHTS)):
        for point in POINTS:
            times = REACHED.get(point, (1, 1))[night]
            kills += [Kill(night, f"{point}@{n}") for n in range(1, times + 1)]
    kills += [Kill(0, "after-numbering", prefect=True), Kill(1, "mid-outbox-write@3", prefect=True),
              Kill(0, "after-intake-commit@5", gx=True), Kill(1, "after-numbering", gx=True)]
    return kills


CASES = _full() if FULL else BOUNDED
RANDOM = 20 if FULL else 2


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return Baseline(tmp_path_factory.mktemp("crash-baseline"))


@pytest.fixture(scope="module")
def baseline_gx(tmp_path_factory):
    return Baseline(tmp_path_factory.mktemp("crash-baseline-gx"), gx=True)


@pytest.mark.slow
def test_the_sweep_s_counts_are_the_nights_own(baseline):
    """REACHED (how often the full sweep kills at each counted point) is what the uninterrupted nights
    do: each inbox file archived (and checked, and committed) once, each outbox file written once,
    each warehouse confirmation committed once."""

    def added(pattern: str) -> list[int]:
        counts = [len(list(after.glob(pattern))) for after in base_after]
        return [n - (counts[i - 1] if i else 0) for i, n in enumerate(counts)]

    base_after = baseline.after
    files, outbox, confirmations = (added("drop/*/archive/**/*.*"), added("drop/*/outbox/*"),
                                    added("warehouse-drop/*/archive/**/*.*"))
    outbox = [n + w for n, w in zip(outbox, added("warehouse-drop/*/outbox/*"), strict=True)]  # a 3PL's 997s too
    assert all(files) and all(outbox) and any(confirmations)
    for point in ("after-archive", "after-parse", "after-intake-commit"):
        assert list(REACHED[point]) == files, point
    for point in ("mid-outbox-write", "after-outbox-write"):
        assert list(REACHED[point]) == outbox, point
    assert list(REACHED["after-confirmation-commit"]) == confirmations


@pytest.mark.slow
@pytest.mark.parametrize("kill", CASES, ids=lambda k: k.name)
def test_a_kill_at_a_step_boundary_then_a_rerun_equals_an_uninterrupted_night(kill, baseline, tmp_path, request):
    base = request.getfixturevalue("baseline_gx") if kill.gx else baseline
    assert crash_and_recover(base, kill, tmp_path, later_nights=FULL) == []


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(RANDOM))
def test_a_kill_at_a_random_time_then_a_rerun_equals_an_uninterrupted_night(seed, baseline, tmp_path):
    rng = random.Random(seed)
    # somewhere in the run: a forked run (tests/crash_harness.py) starts with its modules imported, so from
    # its first moments (a `python -c` run spent its first second importing them)
    kill = Kill(seed % len(NIGHTS), after=round(rng.uniform(0.2, max(0.5, baseline.seconds_per_run)), 2))
    assert crash_and_recover(baseline, kill, tmp_path, later_nights=FULL) == []
