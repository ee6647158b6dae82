"""One very large purchase order through real nights (bench/bigorder.py builds it; bench/bench_bigorder.py times
it): a store-level PO of 5,000 lines each split over four stores by SDQ is acknowledged line by line, shipped
in two confirmations carton by store, invoiced and reconciled the same night; a PO of 2,500 lines changed by
an 860 with a POC on nearly every line is answered POC by POC the next night and its confirmations of the
changed quantities shipped and invoiced. Behaviour only: what was sent, never how long it took. (The look-ups
these nights made quadratic are in engine.shipments._store_ordered, rules.shipments.store_checks,
engine.changes._LineIndex and engine.kept_stock.with_kept.)"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bench import bigorder
from tests.support import state_rows

LINES, STORES = 5_000, 4
CHANGED = 2_500
NIGHT1, NIGHT2 = "2026-11-27T02:00:00", "2026-11-28T02:00:00"


def run_night(ws, now: str) -> None:
    """The real night, `orderbridge run --no-prefect` (in process): intake, decide, ship, invoice, deliver,
    reconcile, reports."""
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.exit_status import ExitStatus

    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--no-prefect", "--no-gx", "--now", now])
    assert res.exit_code == ExitStatus.OK, res.output


def sent(ws, doc_type: str) -> list[str]:
    """The texts of ACME's outbox documents of ``doc_type``, in the order they were numbered."""
    return [p.read_text() for p in sorted((ws.drop_root / "acme" / "outbox").glob(f"acme-{doc_type}-*.x12"))]


def segments(text: str, tag: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip().startswith(tag + "*")]


@pytest.fixture(scope="module")
def store_level(tmp_path_factory):
    from flows.workspace import open_workspace

    root = bigorder.prepare(tmp_path_factory.mktemp("big") / "ws", LINES, n_stores=STORES)
    bigorder.drop_order(root, bigorder.purchase_order(LINES, n_stores=STORES), "big-850.x12")
    bigorder.drop_confirmations(root, bigorder.confirmations(LINES, n_stores=STORES))
    ws = open_workspace(root)
    run_night(ws, NIGHT1)
    return ws


def test_a_store_level_po_of_5000_lines_is_acknowledged_line_by_line(store_level):
    (ack,) = sent(store_level, "855")
    po1 = segments(ack, "PO1")
    assert [(p[1], p[2], p[7]) for p in po1] == [
        (str(n), str(sum(q for _, q in bigorder.store_split(n, STORES))), bigorder.item(n)["upc"])
        for n in range(1, LINES + 1)]
    assert [a[1] for a in segments(ack, "ACK")] == ["IA"] * LINES
    total = sum(q for n in range(1, LINES + 1) for _, q in bigorder.store_split(n, STORES))
    assert segments(ack, "CTT") == [["CTT", str(LINES), str(total)]]  # lines and the hash total of quantities


def test_its_two_confirmations_ship_each_store_its_sdq_quantities(store_level):
    asns = sent(store_level, "856")
    assert [segments(a, "BSN")[0][2] for a in asns] == ["BIGS-1", "BIGS-2"]
    half = LINES // 2
    for asn, lines in zip(asns, (range(1, half + 1), range(half + 1, LINES + 1)), strict=True):
        assert [n[4] for n in segments(asn, "N1") if n[1] == "BY"] == bigorder.stores(STORES)  # an order loop each
        shipped: dict[tuple[str, str], int] = {}
        store = None
        for seg in (s.strip().split("*") for s in asn.split("~") if s.strip()):
            if seg[0] == "N1" and seg[1] == "BY":
                store = seg[4]
            elif seg[0] == "LIN":
                line = seg[1]
            elif seg[0] == "SN1":
                shipped[(store, line)] = int(seg[2])
                assert seg[5] == seg[2]  # SN105: what that store ordered of the line, not the whole line
        assert shipped == {(s, str(n)): q for n in lines for s, q in bigorder.store_split(n, STORES)}
    assert state_rows(store_level, "SELECT COUNT(*) FROM shipment_lines") == [(LINES * STORES,)]


def test_it_is_invoiced_per_shipment_and_reconciled_without_exceptions(store_level):
    invoices = sent(store_level, "810")
    assert len(invoices) == 2
    half = LINES // 2
    for inv, lines in zip(invoices, (range(1, half + 1), range(half + 1, LINES + 1)), strict=True):
        it1 = segments(inv, "IT1")
        assert [(i[1], int(i[2]), Decimal(i[4])) for i in it1] == [
            (str(n), sum(q for _, q in bigorder.store_split(n, STORES)), Decimal(bigorder.item(n)["price"]))
            for n in lines]
        total = sum(Decimal(i[2]) * Decimal(i[4]) for i in it1)
        assert segments(inv, "TDS") == [["TDS", str(int(total * 100))]]
    assert state_rows(store_level, "SELECT state FROM orders") == [("invoiced",)]
    assert state_rows(store_level, "SELECT lines, exceptions FROM reconciliations") == [(LINES, 0)]
    assert state_rows(store_level, "SELECT COUNT(*) FROM exceptions") == [(0,)]


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    from flows.workspace import open_workspace

    root = bigorder.prepare(tmp_path_factory.mktemp("big860") / "ws", CHANGED)
    bigorder.drop_order(root, bigorder.purchase_order(CHANGED), "big-850.x12")
    ws = open_workspace(root)
    run_night(ws, NIGHT1)
    bigorder.drop_order(root, bigorder.change_order(CHANGED), "big-860.x12")
    bigorder.drop_confirmations(root, bigorder.confirmations(CHANGED, changed=True, day="2026-11-28"))
    run_night(ws, NIGHT2)
    return ws


def test_an_860_with_a_poc_on_nearly_every_line_is_answered_poc_by_poc(changed):
    first, revised = sent(changed, "855")
    assert len(segments(first, "ACK")) == CHANGED
    assert segments(revised, "BAK")[0][1] == "05"  # ACME wants a revised 855 for its changes
    got = {p[1]: p[2] for p in segments(revised, "PO1")}
    assert got == {str(n): str(bigorder.changed_quantity(n)) for n in range(1, CHANGED + 1)}
    pocs = [p for p in segments(bigorder.change_order(CHANGED), "POC")]
    assert len(pocs) > CHANGED * 0.9  # every line ordered above one unit
    assert {a[1] for a in segments(revised, "ACK")} == {"IA"}


def test_the_changed_quantities_ship_in_two_confirmations_and_are_invoiced(changed):
    asns, invoices = sent(changed, "856"), sent(changed, "810")
    assert len(asns) == len(invoices) == 2
    shipped = {seg[1]: int(seg2[2]) for a in asns for seg, seg2 in zip(segments(a, "LIN"), segments(a, "SN1"),
                                                                          strict=True)}
    assert shipped == {str(n): bigorder.changed_quantity(n) for n in range(1, CHANGED + 1)}
    billed = {i[1]: int(i[2]) for inv in invoices for i in segments(inv, "IT1")}
    assert billed == shipped
    assert state_rows(changed, "SELECT state FROM orders") == [("invoiced",)]
    held = state_rows(changed, "SELECT COUNT(*) FROM findings WHERE severity = 'error'")
    assert held == [(0,)]


def test_a_poc_finds_its_line_as_it_did_by_scanning():
    """engine.changes._LineIndex answers as _find's scan did: PO101 as sent (its first line), without leading
    zeros when that is one line, a line sent without PO101 by its number; two lines answering loosely are none."""
    from engine.changes import _LineIndex

    lines = [{"line_number": 1, "line_id": "001"}, {"line_number": 2, "line_id": "2"},
             {"line_number": 3, "line_id": "02"}, {"line_number": 4, "line_id": None},
             {"line_number": 5, "line_id": "001"}, {"line_number": 6, "line_id": ""}]
    index = _LineIndex(lines)
    assert index.find("001") is lines[0]  # the first of two lines with PO101 001
    assert index.find("1") is None  # "001" twice: not one line
    assert index.find("2") is lines[1] and index.find("02") is lines[2]
    assert index.find("0002") is None  # 2 and 02 both answer
    assert index.find("4") is lines[3] and index.find("6") is lines[5]
    assert index.find("3") is None and index.find("") is None and index.find(None) is None


def _poc_lines_by_scanning(lines: list[dict], poc: dict) -> list[dict]:
    """engine.changes._poc_lines as it was (every line read for each POC): the oracle for the indexed one."""
    from engine.changes import _identities, _pairs
    from rules.business.item_readings import item_identities

    found: dict[int, dict] = {}
    identities: dict[int, frozenset[str]] = {}
    for pair in sorted(_pairs(poc)):
        hits = [line for line in lines if pair in _pairs(line)]
        named = item_identities(*pair) if not hits else frozenset()
        if named:
            for line in lines:
                if line["line_number"] not in identities:
                    identities[line["line_number"]] = _identities(line)
            hits = [line for line in lines if named & identities[line["line_number"]]]
        found.update((line["line_number"], line) for line in hits)
    return [found[k] for k in sorted(found)]


def test_a_poc_without_poc01_finds_the_lines_its_product_ids_name_as_the_scan_did():
    """A grocer's PO without PO101s: a POC without POC01 is matched by its product ids (as sent, else in another of
    their forms: UPC-E for UPC-A, EAN-13, a buyer's number without leading zeros), now through _LineIndex."""
    import random

    from engine.changes import _LineIndex, _poc_lines

    rng = random.Random(5)
    upcs = [bigorder.item(n)["upc"] for n in range(1, 40)]
    forms = [("UP", lambda u: u), ("EN", lambda u: "0" + u), ("UK", lambda u: "00" + u)]
    def pair() -> dict:
        if rng.random() < 0.3:
            return {"qualifier": "IN", "id": "0" * rng.randint(0, 2) + str(rng.randint(1, 30))}
        q, form = rng.choice(forms)
        return {"qualifier": q, "id": form(rng.choice(upcs))}

    lines = [{"line_number": n, "line_id": None, "product_ids": [pair() for _ in range(rng.randint(0, 2))]}
             for n in range(1, 120)]
    index = _LineIndex(lines)
    for _ in range(400):
        poc = {"line_id": None, "change_type": "QD", "product_ids": [pair() for _ in range(rng.randint(0, 2))]}
        want = _poc_lines_by_scanning(lines, poc)
        assert _poc_lines(lines, poc, index) == want and _poc_lines(lines, poc) == want
