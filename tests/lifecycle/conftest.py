"""The lifecycle's unit tests are pure: with ORDERBRIDGE_PURE=1 (tests/test_lifecycle_is_pure.py runs
them so) sqlite3 and prefect cannot even be imported."""

from __future__ import annotations

import os
import sys

if os.environ.get("ORDERBRIDGE_PURE") == "1":
    for name in ("sqlite3", "_sqlite3", "prefect"):
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
