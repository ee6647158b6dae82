"""Heavy imports done while the temporary Prefect API server starts. `orderbridge run` imports Great
Expectations and pandas (seconds of CPU; the decide stage would import them otherwise), then Prefect and
the nightly flow, while the server (another process: its own start takes seconds of CPU) comes up
(flows.prefect_api.start_api_server's ``meanwhile``), one after the other in the calling thread: two
imports never run at once. `orderbridge ship` imports Prefect and its flow the same way. Owns no run
logic."""

from __future__ import annotations


def _import_rules_engine() -> None:
    try:
        import great_expectations  # noqa: F401
        import pandas  # noqa: F401
    except Exception:  # noqa: BLE001 - the decide stage imports it again and reports what is wrong
        pass


def import_flows() -> None:
    """Prefect and the nightly and shipments flows (with PREFECT_API_URL set: Prefect reads its settings
    when imported)."""
    import flows.nightly  # noqa: F401


def import_for_night() -> None:
    """The rules engine's heavy modules (an error is the decide stage's to report), then import_flows."""
    _import_rules_engine()
    import_flows()
