"""Heavy imports started early. The decide stage of a nightly run imports Great Expectations (seconds
of CPU); `orderbridge run` starts that import in a thread while Prefect's temporary API server starts
(several seconds of waiting) and joins it before Prefect is imported, so two imports never run at
once and a run with orders does not pay it again in its decide stage. Owns no run logic."""

from __future__ import annotations

import threading


def _import_rules_engine() -> None:
    try:
        import great_expectations  # noqa: F401
        import pandas  # noqa: F401
    except Exception:  # noqa: BLE001 - the decide stage imports it again and reports what is wrong
        pass


def start() -> threading.Thread:
    """Begin importing the rules engine's heavy modules in a daemon thread (join it before importing
    anything else heavy)."""
    thread = threading.Thread(target=_import_rules_engine, name="warm-rules-engine", daemon=True)
    thread.start()
    return thread
