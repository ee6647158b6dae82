"""Findings raised on a whole 850 (SAC_NOT_APPLIED, SDQ_NOT_APPLIED, ...: a warning about the set, at no
line) are stored with the PO of the set they were raised on, through the real run: the failures report
names the PO, `status PO` (and `status --json`) shows them with the order. They used to be stored with an
empty PO number: ops saw a failures-report row without its PO and the order's story did not show it. A
set rejected by our checks names the PO its BEG gives; a set whose BEG gives none keeps an empty one."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from tests.support import make_workspace, run_night

NIGHT1 = datetime(2026, 11, 27, 2)
ISA = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*{isa13}*0*P*>~\n"
       "GS*PO*ACMERETAIL*ORDERBRIDGE*20261126*0200*{gs06}*X*004010~\n")
LINE = ["PO1*1*10*EA*19.70*PE*UP*614141100101", "PID*F****Copy paper A4"]


def _set(st02: str, body: list[str]) -> str:
    segs = [f"ST*850*{st02}", *body, "CTT*1*10"]
    return "~\n".join([*segs, f"SE*{len(segs) + 1}*{st02}"]) + "~\n"


def _file(isa13: str, gs06: str, sets: list[str]) -> bytes:
    return (ISA.format(isa13=isa13, gs06=gs06) + "".join(sets)
            + f"GE*{len(sets)}*{gs06}~\nIEA*1*{isa13}~\n").encode()


def _run(root):
    ws = make_workspace(root, partners=("acme",))
    inbox = ws.drop_root / "acme" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    head = ["CUR*BY*USD", "DTM*010*20261210", "N1*ST*Acme Distribution Center*92*DC01"]
    # a promotional allowance on the heading: SAC_NOT_APPLIED, a warning about the whole set
    (inbox / "po-sac.x12").write_bytes(_file("000002001", "2001", [
        _set("0001", ["BEG*00*SA*ACME-7000**20261126", *head[:1], "SAC*A*F800***2500", *head[1:], *LINE])]))
    # a set our checks reject (a quantity that is no number) and one whose BEG names no PO
    (inbox / "po-bad.x12").write_bytes(_file("000002002", "2002", [
        _set("0001", ["BEG*00*SA*ACME-7001**20261126", *head, "PO1*1*ten*EA*19.70*PE*UP*614141100101",
                      LINE[1]]),
        _set("0002", ["BEG*00*SA***20261126", *head, *LINE])]))
    return ws, run_night(ws, NIGHT1)


def test_findings_of_a_whole_850_carry_its_po_in_store_report_and_status(tmp_path):
    ws, run_id = _run(tmp_path / "ws")
    state = StateStore(ws.state_path)
    stored = [f for f in state.findings() if f["partner"] == "acme" and f["stage"] == "intake"]
    state.close()
    sac = [f for f in stored if f["code"] == "SAC_NOT_APPLIED"]
    assert [(f["po_number"], f["st02"]) for f in sac] == [("ACME-7000", "0001")]
    bad = [f for f in stored if f["file"] == "po-bad.x12" and f["st02"]]
    assert {f["po_number"] for f in bad if f["st02"] == "0001"} == {"ACME-7001"}  # rejected: its BEG03
    assert bad and [f["po_number"] for f in bad if f["st02"] == "0002"] and \
        {f["po_number"] for f in bad if f["st02"] == "0002"} == {""}  # its BEG gives no PO: none

    rows = list(csv.DictReader(io.StringIO((ws.root / "reports" / run_id / "failures.csv").read_text(
        encoding="utf-8-sig"))))
    assert [r["po_number"] for r in rows if r["code"] == "SAC_NOT_APPLIED"] == ["ACME-7000"]

    runner = CliRunner()
    out = runner.invoke(app, ["status", "ACME-7000", "--partner", "acme", "-w", str(ws.root)],
                        env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.output
    assert "SAC_NOT_APPLIED" in out.stdout
    out = runner.invoke(app, ["status", "ACME-7000", "--partner", "acme", "--json", "-w", str(ws.root)])
    assert out.exit_code == 0, out.output
    shown = json.loads(out.stdout)
    assert [(f["code"], f["severity"], f["stage"], f["st02"]) for f in shown["findings"]] == [
        ("SAC_NOT_APPLIED", "warning", "intake", "0001")]

    from console.reading import order_page  # the console's order page reads the same story

    state = StateStore(ws.state_path)
    try:
        [order] = state.find_orders("ACME-7000", "acme")
        page = order_page(state, order)
    finally:
        state.close()
    assert [f["code"] for f in page["findings"]] == ["SAC_NOT_APPLIED"]


# --- finding_po, the single source, on its own -------------------------------------------------------------
def _outcome(sets: list[tuple[str, list[str]]]):
    from tests.test_acks_and_outputs import run

    text = (ISA.format(isa13="000000009", gs06="9")
            + "".join(f"ST*850*{st02}~\n" + "".join(s + "~\n" for s in body) + f"SE*{len(body) + 2}*{st02}~\n"
                      for st02, body in sets) + f"GE*{len(sets)}*9~\nIEA*1*000000009~\n")
    return run(text.encode())


def _at(code: str, st02: str, file_segment: int | None):
    from schemas.findings import finding

    return finding(code, "x", file="t.x12", isa13="000000009", gs06="9", st02=st02, file_segment=file_segment)


GOOD = ["CUR*BY*USD", "DTM*010*20261210", "N1*ST*DC 7*92*DC07", *LINE, "CTT*1*10"]


def test_a_finding_names_the_set_it_was_raised_on_when_a_group_repeats_a_control_number():
    """Two sets of one group both ST02 0001 (the second refused: ST_CONTROL_NUMBER_DUPLICATE at its ST): each
    finding names the PO of the set whose ST comes last before its segment (ST ordinals 3 and 12)."""
    from engine.lifecycle.intake import finding_po

    out = _outcome([("0001", ["BEG*00*SA*PO-A**20261126", *GOOD]), ("0001", ["BEG*00*SA*PO-B**20261126", *GOOD])])
    assert out.orders["po_number"].to_pylist() == ["PO-A"]
    po_of = finding_po(out)
    assert [(f.code, po_of(f)) for f in out.findings] == [("ST_CONTROL_NUMBER_DUPLICATE", "PO-B")]
    assert [po_of(_at("SAC_NOT_APPLIED", "0001", n)) for n in (3, 4, 11, 12, 20)] == [
        "PO-A", "PO-A", "PO-A", "PO-B", "PO-B"]
    assert po_of(_at("SAC_NOT_APPLIED", "0001", None)) == ""  # which of the two cannot be told
    assert po_of(_at("SAC_NOT_APPLIED", "", 5)) == ""  # a finding of no set (an envelope's): none


def test_a_release_is_named_by_its_order_key_and_a_rejected_set_by_its_beg03():
    from dataclasses import replace

    import pyarrow as pa

    from engine.lifecycle.intake import finding_po
    from schemas.order_keys import release_key

    out = _outcome([("0001", ["BEG*00*SA*PO-A*2*20261126", *GOOD]),
                    ("0002", ["BEG*00*SA*PO-C**20261126", "CUR*BY*USD", "PO1*1*ten*EA*19.70*PE*UP*614141100101",
                              "CTT*1*10"])])
    assert out.orders["po_number"].to_pylist() == ["PO-A"]  # PO-C's set was rejected
    key = release_key("PO-A", "2")  # flows.intake keys a later release so before planning
    i = out.orders.schema.get_field_index("po_number")
    keyed = replace(out, orders=out.orders.set_column(i, out.orders.schema.field(i), pa.array([key])))
    po_of = finding_po(keyed)
    assert po_of(_at("SDQ_NOT_APPLIED", "0001", 4)) == key
    assert po_of(_at("SAC_NOT_APPLIED", "0002", 17)) == "PO-C"
