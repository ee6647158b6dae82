"""Session-wide settings: Prefect runs against a private ephemeral home, never ~/.prefect."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

# pytest-xdist's workers inherit the controller's environment: each worker gets a home of its own (two
# ephemeral Prefect API servers on one SQLite database would lock and migrate each other)
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if "PREFECT_HOME" not in os.environ or (_worker and os.environ.get("ORDERBRIDGE_TEST_PREFECT_HOME_OF") != _worker):
    # removed when the test session's interpreter exits (after Prefect's own exit handlers, which were
    # registered later and so run first): one test session must not leave its Prefect database behind
    _home = tempfile.mkdtemp(prefix="orderbridge-prefect-")
    os.environ["PREFECT_HOME"] = _home
    os.environ["ORDERBRIDGE_TEST_PREFECT_HOME_OF"] = _worker
    atexit.register(shutil.rmtree, _home, ignore_errors=True)
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
# as the CLI sets it (flows/cli._prefect_env): a test importing Prefect before a CliRunner run would otherwise
# leave Prefect's INFO logging bound to that run's closed standard error (Prefect reads it once, at import)
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

# the private PostgreSQL server and the fixture running state-store tests on both back ends
# pyx12 maps for our outbound sets, once per module that asks (the retailer sweeps; a module may define its own)
from tests.retailer_support import maps  # noqa: E402, F401
from tests.support_pg import backend, pg_server, store_target  # noqa: E402, F401

# --- make test's order of the test files over its workers (-n N --dist loadfile) ----------------------------------
# pytest-xdist queues the files by their number of tests, most first, and hands each worker the next file when it
# has at most two tests left: the files of one or two long tests (a pool night, the Prefect server's runs, the
# fallback's) came last, and one worker ran such a file alone while the other had nothing left to do. The files
# below (their tests' seconds in a full run on 2 cores, longest first) are handed out first; every other file
# follows in xdist's own order. A file missing here is still run: this list only orders the queue.
HEAVY_FIRST = (
    "tests/test_delivery_batches.py",  # 94
    "tests/test_cli_usability.py",  # 85
    "tests/test_benches_run.py",  # 81
    "tests/test_pool_night.py",  # 59
    "tests/test_crash_safety.py",  # 59
    "tests/test_shipment_columns.py",  # 52
    "tests/test_prefect_server.py",  # 44
    "tests/test_price_basis.py",  # 43
    "tests/test_prefect_flow.py",  # 40
    "tests/test_prefect_fallback.py",  # 38
    "tests/test_state_rebuild.py",  # 38
    "tests/test_run_leaves_no_orphans.py",  # 36
    "tests/test_charge_reconcile.py",  # 33
    "tests/test_lease_store.py",  # 33
    "tests/allocation/test_allocate_properties.py",  # 30
    "tests/test_partner_order.py",  # 29
    "tests/test_profile_isolation.py",  # 29
    "tests/test_file_retake.py",  # 27
    "tests/test_pool_stages.py",  # 27
    "tests/test_console.py",  # 25
    "tests/test_catch_weight_billing.py",  # 25
    "tests/test_change_before_shipment_855.py",  # 24
    "tests/test_945_shapes.py",  # 24
    "tests/sftp/test_sftp_warehouse_drops.py",  # 23
    "tests/test_change_after_shipment_855.py",  # 23
    "tests/test_rg21_dollar_department.py",  # 22
    "tests/test_state_store_pg.py",  # 12-22 (67 at load 16: its PostgreSQL nights suffer most from a busy machine)
    "tests/test_intake_batches.py",  # 22
    "tests/test_inspect_fast_path.py",  # 21
    "tests/test_versions_sweep.py",  # 20
    "tests/test_rebuild_new_features.py",  # 20
    "tests/conformance/test_bots_conformance.py",  # 19
    "tests/test_856_multi_box.py",  # 18
    "tests/test_lifecycle_table.py",  # 18
    "tests/test_console_in_browser.py",  # 18
    "tests/test_rg7_department_stores.py",  # 18
    "tests/test_workspace_lease.py",  # 17
    "tests/test_change_orders.py",  # 16
    "tests/test_acks_always_valid.py",  # 16
    "tests/test_change_after_shipment.py",  # 16
    "tests/test_status_fast_path.py",  # 15
    "tests/test_demo_sftp.py",  # 12
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile with HEAVY_FIRST's files queued first (any other --dist: xdist's own scheduler)."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class HeavyFirst(LoadFileScheduling):
        _ordered = False

        def _assign_work_unit(self, node):
            if not self._ordered:  # the queue is complete before its first file is handed out
                self._ordered = True
                for scope in reversed([s for s in HEAVY_FIRST if s in self.workqueue]):
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return HeavyFirst(config, log)
