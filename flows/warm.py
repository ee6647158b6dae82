"""Heavy imports done while the temporary Prefect API server starts. `orderbridge run` imports Great
Expectations and pandas (seconds of CPU; the decide stage would import them otherwise), then Prefect and
the nightly flow, while the server (another process: its own start takes seconds of CPU) comes up
(flows.prefect_api.start_api_server's ``meanwhile``), one after the other in the calling thread: two
imports never run at once. `orderbridge ship` imports Prefect and its flow the same way. A night on a
work pool (flows.pool_stages) imports the run-wide stages (`import_run_wide`) while the workers start
their intake flow runs, a wait of seconds in which its process is idle. Owns no run logic."""

from __future__ import annotations


def _import_rules_engine() -> None:
    from flows import gx_child

    if gx_child.running():  # GX validates in its own process this night (flows.gx_child): not imported here
        return
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


def import_run_wide(use_gx: bool = True) -> None:
    """The run-wide stages the nightly process runs after the partners' intake (decide and allocate, ship
    and invoice, reconcile, reports) and, with ``use_gx``, the rules engine's heavy modules (GX, pandas):
    imported now instead of at each stage's start. An import that fails is left to the stage that needs
    it, which imports it again and reports what is wrong. The collector runs less often meanwhile, as in
    the decide stage that would otherwise import them (flows.gc_pause), and inside a night
    (flows.memory.survivors_frozen) the modules' objects are frozen after: the collections while the
    night waits for its workers do not walk them again and again."""
    from flows.gc_pause import fewer_collections
    from flows.memory import freeze_alive

    with fewer_collections():
        if use_gx:
            _import_rules_engine()
        try:
            import flows.decide  # noqa: F401
            import flows.reconcile  # noqa: F401
            import flows.reports  # noqa: F401
            import flows.shipments  # noqa: F401
        except Exception:  # noqa: BLE001 - the stage imports it again and reports it
            pass
    freeze_alive()
