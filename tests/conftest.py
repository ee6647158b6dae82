"""Session-wide settings: Prefect runs against a private ephemeral home, never ~/.prefect."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

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
