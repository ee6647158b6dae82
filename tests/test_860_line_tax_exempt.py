"""An 860's POC loop that states a tax exemption (TXI06 1/2/3 ... schemas.orders.TXI_EXEMPTING, e.g. TXI*SP*****3: a
line bought for resale) is read as the 850's PO1 loop's (parsers.orders_850.tax_exemptions, ORDER_CHANGES
tax_exempt_sent): a line the change adds (POC02 AI) keeps it through decide, the 856 and the 810, which bills it without
that tax; a line the change restates (CA, PC ...) with an exemption takes it on. rg38 found the 860 parser did not read
it: the added line was taxed as if the buyer had said nothing. Princess Auto's rg38 fixtures (GST and Manitoba's RST,
per line)."""

from __future__ import annotations

import shutil
from datetime import datetime

from tests.retailer_support import of_its_own, po_segments, segments, shipped_night
from tests.support import REPO, run_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg38"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
CHANGE_NIGHT = datetime(2026, 11, 26, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
PO = "pa-850-PA0099412.x12"
LINE2_PO1 = "PO1*2*36*EA*3.9**VP*ODR-3812*BP*8374438~\nPID*F****HITCH PIN SET~\n"
LINE2_IT1 = ["IT1", "2", "36", "EA", "3.9", "", "VP", "ODR-3812", "BP", "8374438"]
EXEMPT_LINE2 = [["TXI", "GS", "7.02", "5", "", "", "", "", "", "123456789RT0001"],
                ["TXI", "SP", "0", "0", "", "", "", "", "", "RST-1234-5678"]]
TAXED_LINE2 = [["TXI", "GS", "7.02", "5", "", "", "", "", "", "123456789RT0001"],
               ["TXI", "SP", "9.83", "7", "", "", "", "", "", "RST-1234-5678"]]


def _860(body: list[str]) -> str:
    """Princess Auto's 860 (005010) changing PA0099412: ``body``, its segments between BCH and CTT."""
    segs = ["ST*860*0001", "BCH*04*NE*PA0099412***20261124****20261125", *body, "CTT*1"]
    segs.append(f"SE*{len(segs) + 1}*0001")
    return "~\n".join(["ISA*00*          *00*          *ZZ*PRINCESSAUTO   *ZZ*ORDERBRIDGE    *261125*1015*^*00501*"
                        "000099413*0*P*>", "GS*PC*PRINCESSAUTO*ORDERBRIDGE*20261125*1015*99413*X*005010", *segs,
                        "GE*1*99413", "IEA*1*000099413"]) + "~\n"


def _changed_night(tmp_path, body: list[str], *, line2_in_850: bool, line2_ordered: int = 36):
    """Princess Auto's PO (line 2 left out of the 850 when not ``line2_in_850``, else ordered ``line2_ordered``) taken
    one night, an 860 of ``body`` (its segments between BCH and CTT) the next, then shipped whole (line 2: 36) and
    invoiced: (ws, findings, states)."""
    fixtures = tmp_path / "rg38"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "princessauto" / PO
    sent = po.read_text(encoding="utf-8")
    assert sent.count(LINE2_PO1) == 1 and "SE*18*0001" in sent and "CTT*2*96~" in sent
    if not line2_in_850:
        po.write_text(sent.replace(LINE2_PO1, "").replace("CTT*2*96~", "CTT*1*60~").replace("SE*18*0001", "SE*16*0001"),
                      encoding="utf-8")
    elif line2_ordered != 36:
        po.write_text(sent.replace("PO1*2*36*", f"PO1*2*{line2_ordered}*").replace(
            "CTT*2*96~", f"CTT*2*{60 + line2_ordered}~"), encoding="utf-8")
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if r.startswith(("Shipment ID", "PA-SHP-01"))), encoding="utf-8")
    ws = of_its_own(fixtures, tmp_path / "ws", {"princessauto": [po.name]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    (ws.drop_root / "princessauto" / "inbox" / "pa-860-PA0099412.x12").write_text(_860(body), encoding="utf-8")
    (fixtures / "drops" / "princessauto" / PO).unlink()  # shipped_night takes no PO again
    return shipped_night(ws, fixtures, CHANGE_NIGHT, SHIP_DAY, messages=True)


def _line2_taxes(ws) -> tuple[list[list[str]], list[list[str]]]:
    inv = po_segments(segments(ws, "princessauto", "810"), "PA0099412", "BIG")
    at = inv.index(LINE2_IT1)
    return inv[at + 1:at + 3], inv


def test_a_line_the_860_adds_exempt_is_billed_without_that_tax(tmp_path):
    """The 850 orders line 1 only; the 860 adds line 2 for resale (POC*2*AI with TXI*SP*****3 in its loop). The line is
    decided, shipped and its 810 states Manitoba's RST at 0 for it, as an 850 that ordered it so
    (tests/test_rg38 ... test_a_line_the_po_marks_tax_exempt_is_billed_without_that_tax): TDS 64134, not 65117."""
    ws, found, states = _changed_night(tmp_path, ["POC*2*AI*36*36*EA*3.9**VP*ODR-3812*BP*8374438",
                                                  "PID*F****HITCH PIN SET", "TXI*SP*****3"], line2_in_850=False)
    assert states == {("princessauto", "PA0099412"): "invoiced"}, found
    assert [f[0] for f in found if f[1] == "error"] == []
    taxes, inv = _line2_taxes(ws)
    assert taxes == EXEMPT_LINE2
    assert [s[1:4] for s in inv if s[0] == "TXI"][-2:] == [["GS", "29.07", "5"], ["SP", "30.87", "7"]]
    assert ["TDS", "64134"] in inv
    asn = po_segments(segments(ws, "princessauto", "856"), "PA-SHP-01", "BSN")
    assert [s for s in asn if s[0] == "LIN" and "ODR-3812" in s]  # the added line shipped


def test_a_line_the_860_adds_without_an_exemption_is_taxed(tmp_path):
    """The same add without the TXI: the line bears the RST, as ever (the exemption is the TXI's, not the 860's)."""
    ws, found, states = _changed_night(tmp_path, ["POC*2*AI*36*36*EA*3.9**VP*ODR-3812*BP*8374438",
                                                  "PID*F****HITCH PIN SET"], line2_in_850=False)
    assert states == {("princessauto", "PA0099412"): "invoiced"}, found
    taxes, inv = _line2_taxes(ws)
    assert taxes == TAXED_LINE2 and ["TDS", "65117"] in inv


def test_a_line_the_860_raises_stating_an_exemption_takes_it(tmp_path):
    """The 850 orders 24 of line 2 (two cases), taxed; the 860 raises it to 36 (POC*2*QI) and states it bought for
    resale (TXI*SP*****3 in the POC loop): the line is decided again at its new quantity, ships 36 and is billed without
    the RST, as an 850 that ordered it so."""
    ws, found, states = _changed_night(tmp_path, ["POC*2*QI*36*36*EA*3.9**VP*ODR-3812*BP*8374438",
                                                  "TXI*SP*****3"], line2_in_850=True, line2_ordered=24)
    assert states == {("princessauto", "PA0099412"): "invoiced"}, found
    assert [f[0] for f in found] == ["ASN_LATE"]
    taxes, inv = _line2_taxes(ws)
    assert taxes == EXEMPT_LINE2 and ["TDS", "64134"] in inv


def test_a_line_the_860_restates_only_to_exempt_it_takes_the_exemption(tmp_path):
    """The 860 restates line 2 as ordered (POC*2*CA, quantity and price as the 850's) with TXI*SP*****3 in its loop:
    nothing to decide again, yet the exemption is the buyer's new word on the line; it is billed without the RST."""
    ws, found, states = _changed_night(tmp_path, ["POC*2*CA*36*36*EA*3.9**VP*ODR-3812*BP*8374438",
                                                  "TXI*SP*****3"], line2_in_850=True)
    assert states == {("princessauto", "PA0099412"): "invoiced"}, found
    assert [f[0] for f in found] == ["ASN_LATE"]
    taxes, inv = _line2_taxes(ws)
    assert taxes == EXEMPT_LINE2 and ["TDS", "64134"] in inv
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        history = " ".join(str(e.get("note") or "") for e in state.order_history("princessauto", "PA0099412"))
    finally:
        state.close()
    assert "tax exemption changed by 860" in history and "line 2 TXI exempt from (none) -> SP" in history, history


def test_an_860_s_poc_loop_txi_exemption_is_read_as_sent():
    """ORDER_CHANGES tax_exempt_sent, per POC, as the 850's tax_exempt_sent per PO1: TXI01 of each TXI whose TXI06
    exempts, in the order sent; a TXI that taxes (TXI06 2, or none) is no exemption; a TXI after the POCs' loops (none
    here) or before the first POC is not a line's."""
    from parsers.orders_860 import read_changes
    from parsers.x12_reader import read_interchanges

    for txis, kept in (([], [None, None]), (["TXI*SP*****3"], [None, "SP"]), (["TXI*SP*****2"], [None, None]),
                       (["TXI*GS*****1", "TXI*SP*****3"], [None, "GS SP"]), (["TXI*TX**12"], [None, None])):
        body = ["POC*1*QI*70*70*EA*7.35**VP*ODR-3811", "POC*2*AI*36*36*EA*3.9**VP*ODR-3812", *txis]
        result = read_interchanges(_860(body).encode(), file="pa-860.x12")
        assert not [f for f in result.findings if f.severity == "error"], txis
        changes = read_changes(result, list(result.transaction_sets()), partner="princessauto")[1]
        assert changes["tax_exempt_sent"].to_pylist() == kept, txis
