"""One company under two profiles on a work pool: Meijer's old profile A (`meijer`) and its new one B (`meijer2`,
[continues] A from 2026-11-26, tests/test_continued_profile.py). On the switch night both send for the same POs: A's
straggler 850 of MJ9000102 with B's 860 changing it, and A's 860 and B's 860 both changing MJ9000101. A night whose
per-partner stages run concurrently (an executor with ``intake_many``/``deliver_many`` that runs the flow runs it is
given last first, as a pool's workers may finish them; flows.pool_stages.PoolStages on real workers in
tests/test_pool_night.py's way below) leaves the state store, outboxes and reports the one-process night leaves: the
two partners are handed over as a chain (flows.night.chained) and run one after the other in partner order."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from flows import night
from flows.pool_stages import PoolStages
from tests.retailer_support import findings_and_states
from tests.support_pool import differences, dump_files, dump_state
from tests.test_continued_profile import A_850, B_860, BEFORE, SWITCH, _workspace

ACKED = datetime(2026, 11, 27, 2)


def a_860() -> str:
    """A's own 860 for MJ9000101 (its old VAN's ids, 004010, '*'): line 1 to 30."""
    segs = ["ISA*00*          *00*          *ZZ*MEIJERVAN      *ZZ*ORDERBRIDGE    *261125*2200*U*00401*000000413*0*P*>",
            "GS*PC*MEIJER*ORDERBRIDGE*20261125*2200*413*X*004010", "ST*860*0001", "BCH*04*SA*MJ9000101**1*20261123",
            "REF*DP*042", "N1*ST*MEIJER STORE 1042*92*1042", "N3*3825 28TH ST SE", "N4*GRAND RAPIDS*MI*49512*US",
            "POC*1*QI*30*30*EA*3.5**UP*614141900107*VN*RG90-01", "CTT*1*30", "SE*9*0001", "GE*1*413",
            "IEA*1*000000413"]
    return "".join(s + "~\n" for s in segs)


def b_860(po: str, seq: str) -> str:
    """B's 860 (tests/fixtures/rg90) for ``po``, its change sequence ``seq``, under control numbers of its own."""
    n = {"MJ9000101": "2", "MJ9000102": "3"}[po]
    return B_860.read_text().replace("|SA|MJ9000101||1|", f"|SA|{po}||{seq}|").replace("MJ9000101", po).replace(
        "000005001", f"00000500{n}").replace("|5001|", f"|500{n}|").replace("GE|1|5001", f"GE|1|500{n}")


def _drop_switch_night(ws) -> None:
    inbox_a, inbox_b = ws.drop_root / "meijer" / "inbox", ws.drop_root / "meijer2" / "inbox"
    shutil.copy2(A_850, inbox_a)
    (inbox_a / "MEIJER_860_MJ9000101_A.x12").write_text(a_860())
    (inbox_b / "MEIJER_860_MJ9000101.x12").write_text(b_860("MJ9000101", "2"))
    (inbox_b / "MEIJER_860_MJ9000102.x12").write_text(b_860("MJ9000102", "1"))


class LastFirst(night.InProcess):
    """A pool's phase in this process: the units it would give its flow runs (PoolStages.groups, a chain in one
    run) run last first, each run's partners in its order."""

    def __init__(self) -> None:
        super().__init__(delays=[])
        self.chains: list[tuple[str, list[list[str]] | None]] = []
        self.ran: list[tuple[str, str]] = []

    def _many(self, stage: str, workspace: str, partners: list[str], now_iso: str, run_id: str,
              chains: list[list[str]] | None) -> dict:
        self.chains.append((stage, chains))
        out = {}
        for group in reversed(PoolStages("p").groups(partners, chains)):
            for pid in group:
                self.ran.append((stage, pid))
                out[pid] = getattr(self, stage)(workspace, pid, now_iso, run_id)
        return out

    def intake_many(self, workspace, partners, now_iso, run_id, chains=None) -> dict:
        return self._many("intake", workspace, partners, now_iso, run_id, chains)

    def deliver_many(self, workspace, partners, now_iso, run_id, chains=None) -> dict:
        return self._many("deliver", workspace, partners, now_iso, run_id, chains)


def _nights(ws, stages) -> list[dict]:
    out = [night.run_night(str(ws.root), stages=stages, now=BEFORE.isoformat())]
    _drop_switch_night(ws)
    out.append(night.run_night(str(ws.root), stages=stages, now=SWITCH.isoformat()))
    out.append(night.run_night(str(ws.root), stages=stages, now=ACKED.isoformat()))
    return out


def test_chained_keeps_partners_linked_by_continues_in_one_chain_in_partner_order():
    cont = {"meijer2": ("meijer", SWITCH.date()), "meijer3": ("meijer2", SWITCH.date()), "zz": ("gone", SWITCH.date())}
    assert night.chained(["acme", "meijer", "meijer2", "meijer3", "zz"], cont) == [
        ["acme"], ["meijer", "meijer2", "meijer3"], ["zz"]]
    assert night.chained(["a2", "b", "z1"], {"a2": ("z1", SWITCH.date())}) == [["a2", "z1"], ["b"]]
    stages = PoolStages("p")
    stages._slots = 2
    assert stages.groups(["acme", "globex", "meijer", "meijer2", "zeta"], [["meijer", "meijer2"]]) == [
        ["acme", "meijer", "meijer2"], ["globex", "zeta"]]
    stages._slots = None
    assert stages.groups(["meijer", "meijer2", "zeta"], [["meijer", "meijer2"]]) == [["meijer", "meijer2"], ["zeta"]]


def test_a_chain_is_delivered_by_one_flow_run_even_when_only_one_of_it_had_intake_work(monkeypatch, tmp_path):
    """A's intake had nothing to do (no flow run), B's run waits to deliver: both are delivered by a new run, A then
    B, and B's waiting run is told to deliver nothing (were it told to deliver B, A and B would write B's outbox side
    by side); a run holding none of a chain delivers its partners as before."""
    import flows.pool_stages as pool_stages

    stages, ws = PoolStages("p"), str(tmp_path)
    stages._waiting[(ws, "r")] = {"acme": ("run-1", ["acme"]), "meijer2": ("run-2", ["meijer2"])}
    went, fanned = {}, []
    monkeypatch.setattr(pool_stages, "write_json", lambda path, value: went.__setitem__(path.name, value))
    monkeypatch.setattr(PoolStages, "_fan_out", lambda self, stage, w, partners, now, run, *, told, chains:
                        fanned.append((partners, {h: m for h, (_, m, _) in told.items()}, chains)) or {})
    stages.deliver_many(ws, ["acme", "meijer", "meijer2"], "now", "r", chains=[["meijer", "meijer2"]])
    assert went == {"go-acme.json": {"deliver": ["acme"]}, "go-meijer2.json": {"deliver": []}}
    assert fanned == [(["meijer", "meijer2"], {"acme": ["acme"], "meijer2": []}, [["meijer", "meijer2"]])]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """The three nights in one process: (workspace, each night's summary)."""
    one = _workspace(tmp_path_factory.mktemp("continued-pool") / "one")
    return one, _nights(one, night.InProcess(delays=[]))


def test_a_pool_night_orders_the_two_profiles_as_the_one_process_night(embedded, tmp_path):
    one, alone = embedded
    pooled = _workspace(tmp_path / "pooled")
    stages = LastFirst()
    shared = _nights(pooled, stages)
    assert [s["failure"] for s in shared] == [s["failure"] for s in alone]
    want_state, want_files = dump_state(one.root), dump_files(one.root)
    # the nights did what the test is about: B's 860s applied to A's orders, A's and B's answers in B's outbox
    found, states = findings_and_states(one, lambda f: (f["partner"], f["code"], f["po_number"]))
    assert not [f for f in found if f[1] in ("CHANGE_AWAITING_ORDER", "CHANGE_ORDER_UNKNOWN")], found
    assert ("meijer2", "MJ9000101") not in states and ("meijer2", "MJ9000102") not in states, states
    assert any(f.startswith("drop/meijer2/outbox/") for f in want_files)
    problems = differences(dump_state(pooled.root), want_state, "table") + differences(
        dump_files(pooled.root), want_files, "file")
    assert not problems, "\n".join(problems)
    # the switch night handed the two over as a chain: A's stage before B's, in one flow run
    assert ("intake", [["meijer", "meijer2"]]) in stages.chains
    ran = [pid for stage, pid in stages.ran if stage == "intake"]
    assert ran.index("meijer") < ran.index("meijer2")


def test_the_switch_night_says_the_continuing_profiles_control_number_gap(embedded):
    """A's documents numbered under B's envelope the first time move B's counters past A's: the run that did it
    records CONTROL_NUMBERS_SKIPPED for B naming each counter's last number, those skipped and the next; once."""
    one, _ = embedded
    from connectors.state import StateStore

    state = StateStore(one.state_path)
    try:
        rows = state._q("SELECT run_id, partner, severity, message FROM findings WHERE code='CONTROL_NUMBERS_SKIPPED'")
        sent = state._q("SELECT file_name, isa13 FROM documents WHERE partner IN ('meijer', 'meijer2') ORDER BY id")
    finally:
        state.close()
    # 11-24 A sent its 997 and 855 (ISA13 1, 2); on the switch night A's 997s were the first sent under B's envelope
    assert [(f, n) for f, n in sent[:3]] == [("meijer-997-000000001.x12", "000000001"),
                                              ("meijer-855-000000002.x12", "000000002"),
                                              ("meijer2-997-000000003.x12", "000000003")]
    [(run, partner, severity, message)] = rows  # once: the counters stay past A's from then on
    assert (run, partner, severity) == ("20261126T020000", "meijer2", "warning")
    assert "meijer2's control numbers moved past meijer's" in message
    assert "ISA13 none sent yet, next 3 (1-2 skipped); GS06 none sent yet, next 3 (1-2 skipped); ST02 none sent yet, " \
           "next 3 (1-2 skipped)" in message, message
    # said in the night's failures report, for B
    said = [p.name for p in (one.root / "reports" / "20261126T020000").rglob("*") if p.is_file() and
            "CONTROL_NUMBERS_SKIPPED" in p.read_text(errors="replace")]
    assert said, sorted(p.name for p in (one.root / "reports" / "20261126T020000").rglob("*"))


def test_a_night_reads_who_continues_whom_once_delivery_included(tmp_path, monkeypatch):
    """Every per-partner stage of a night in one process asks who continues whom (Workspace.continuations, through
    runnable_partner and delivering); the partners folder is scanned once, at the night's start: delivery scanned it
    again for each partner (~1 ms a call at 200 partners, bench/bench_continuers.py) once the stages after decide let
    go what they kept."""
    from flows import workspace

    ws = _workspace(tmp_path / "ws")
    _drop_switch_night(ws)
    scans, asked = [], []
    real = workspace.Workspace.continuations

    def counted(self):
        asked.append(1)
        if workspace._CONTINUATIONS_HELD.get(str(self.partners_dir)) is None:
            scans.append(1)
        return real(self)

    monkeypatch.setattr(workspace.Workspace, "continuations", counted)
    summary = night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=SWITCH.isoformat())
    assert not summary["failure"]
    assert any((ws.drop_root / "meijer2" / "outbox").glob("*.x12"))  # (delivery ran: B's 997s and A's 855s)
    assert len(asked) > 4 and len(scans) == 1, (len(asked), len(scans))
