"""Farm-and-ranch and rural lifestyle chains, in the shapes the SPS-style 850 4010 guides of the trade use (no
chain's own guide was found in the public corpus: the shapes are the common farm-store ones): tests/fixtures/rg47/
holds each one's profile, reference rows, stock, 850s and the east DC's confirmation of what shipped (the rg2 DC).
Murdoch's Ranch & Home (bagged feed in bags, BG, the bag's weight in PO4, and by the pallet of 40 bags, PL; FOB PP
with a no-charge freight SAC paid by the vendor; seasonal dating, ITD 03 with a fixed net due date); Coastal Farm &
Ranch (a DC order for its stores, SDQ by store 92, shipped store by store; a delivery appointment DTM 002 with time
and zone; 1 lb propane cylinders marked hazardous, TD4 HM D 2.1); Orscheln Farm & Home (its DUNS; fertiliser by the
pallet marked hazardous, TD4 HM D 5.1; grass seed ordered by the pound). One night takes them all: inspect, the
997s and 855s, then the 856s and 810s, checked by our validator, Bots and pyx12."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    all_sent_accepted,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg47"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"murdochs": {"MR4471120": 2}, "coastal": {"CF2611240": 2}, "orscheln": {"OR7734410": 2}}
# inspect knows no profile: Coastal's SDQs (its profile is store level); the hazmat TD4s are kept, not told
NOTED = {"SDQ_NOT_APPLIED"}
NIGHT_NOTED = {"ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg47") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    assert not [f for f in found if f[1] == "error"], found
    assert {f[0] for f in found} <= NIGHT_NOTED, found
    accepted_as_ordered(ws, POS)
    assert states == {(p, po): "invoiced" for p, pos in POS.items() for po in pos}


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # Murdoch's feed billed by the bag and by the pallet as ordered (80 x 14.25 + 2 x 520.00)
    inv = po_segments(segments(ws, "murdochs", "810"), "MR4471120", "BIG")
    assert ["IT1", "2", "2", "PL", "520", "", "UP", "614141547029", "VN", "RG47-02"] in inv and ["TDS", "218000"] in inv
    # Coastal's stores each their own order level (N1 BY 92), the propane packs shipped per store
    asn = po_segments(segments(ws, "coastal", "856"), "CF-SHP-01", "BSN")
    assert [s for s in asn if s[:2] == ["N1", "BY"]] == [["N1", "BY", "", "92", s] for s in ("0101", "0104", "0107")]
    # Orscheln's seed billed by the pound as ordered
    inv = po_segments(segments(ws, "orscheln", "810"), "OR7734410", "BIG")
    assert ["IT1", "2", "500", "LB", "1.2", "", "UP", "614141547067", "VN", "RG47-06"] in inv


def test_seasonal_dating_agreed_by_kind_is_billed_with_the_po_s_due_date(night):
    """Murdoch's buys spring goods on seasonal dating: its agreement is fixed-date terms (customers.csv ITD01 03, no
    days: the date changes with each season's PO) and each PO sends the date (ITD*03*3****20270315******SPRING
    DATING). The 810 stated the agreement alone, ITD*03*3: fixed-date terms with no date, which no buyer pays by.
    Now terms agreed by kind alone take the PO's net due date (ITD06) and its words (ITD12), on the columnar batch
    and the one-by-one writer alike."""
    ws, _found, _states = night
    inv = po_segments(segments(ws, "murdochs", "810"), "MR4471120", "BIG")
    assert ["ITD", "03", "3", "", "", "", "20270315", "", "", "", "", "", "SPRING DATING"] in inv


def test_agreed_terms_with_days_keep_them_over_a_po_s_date():
    from datetime import date
    from decimal import Decimal

    from engine.invoice import invoice_terms
    from schemas.invoices import Terms

    order = {"terms_type": "03", "terms_basis_date": "3", "terms_net_due_date": date(2027, 3, 15),
             "terms_description": "SPRING DATING"}
    assert invoice_terms(Terms(type="03"), order).net_due_date == date(2027, 3, 15)
    # an agreement naming its days is the partner's word: a PO's date does not replace it
    assert invoice_terms(Terms(type="03", net_days=60), order).net_due_date is None
    # a PO of another kind leaves the agreement as it is
    agreed = Terms(type="01", discount_percent=Decimal(2), discount_days=10, net_days=30)
    assert invoice_terms(agreed, {**order, "terms_type": "05"}) == agreed


def _item_loops(asn: list[list[str]]) -> list[list[list[str]]]:
    """The I loops of an 856 set, each from its HL to the next HL (or the CTT)."""
    starts = [k for k, seg in enumerate(asn) if seg[0] == "HL"] + [next(k for k, seg in enumerate(asn)
                                                                        if seg[0] == "CTT")]
    return [asn[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True) if asn[a][3] == "I"]


@pytest.mark.parametrize("partner, po", [("orscheln", "OR7734410"), ("coastal", "CF2611240")])
def test_a_line_s_own_hazmat_marking_is_kept_with_its_line_not_told(partner, po):
    """Orscheln's fertiliser (TD4*HM*D*5.1: hazardous materials, DOT class 5.1 oxidizer) and Coastal's 1 lb propane
    cylinders (TD4*HM*D*2.1) are marked hazardous by code alone in their PO1 loops. The marking used to be quoted to
    ops as a note (NOTES_NOT_KEPT), as no order or 856 of ours carried it; now its order line keeps it
    (ORDER_LINES hazmat_sent, as sent) and its 856 writes it back, so nothing is left to tell."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from tests.retailer_support import inspected

    path = next((FIXTURES / "drops" / partner).iterdir())
    seen = inspected(path, NOTED)
    assert not [f for f in seen["findings"] if f["code"] == "NOTES_NOT_KEPT"], seen["findings"]
    result = read_interchanges(path.read_bytes(), file=str(path))
    sets = [(i, g, t) for i in result.interchanges for g in i.groups for t in g.transactions]
    _orders, lines = read_orders(result, sets, partner=partner)
    hazmat = {"orscheln": [[{"code": "HM", "qualifier": "D", "hazard_class": "5.1", "description": None}], None],
              "coastal": [None, [{"code": "HM", "qualifier": "D", "hazard_class": "2.1", "description": None}]]}
    assert lines["hazmat_sent"].to_pylist() == hazmat[partner]


def test_a_hazmat_marking_the_order_does_not_keep_is_still_told(tmp_path):
    """Only a PO1 loop's or the heading's own TD4 is kept (with its line, its order). One in a loop of theirs (a
    heading N1 loop's, the line's N1 loop's: X12 puts a TD4 there for that party's delivery) marks something no order
    or 856 of ours carries: still quoted to ops with the notes, as before. A TD4 of words alone (KEEP DRY) is no
    hazmat marking: quoted as before, never kept."""
    sent = next((FIXTURES / "drops" / "orscheln").iterdir()).read_text()
    party = "N1*ST*ORSCHELN STORE 12*92*0012~"
    cases = {"heading party": (sent.replace("TD4*HM*D*5.1~", "").replace("N4*MOBERLY*MO*65270*US~",
                                                                          "N4*MOBERLY*MO*65270*US~TD4*HM*D*5.1~"),
                               "'TD4 HM D 5.1'"),
             "line party": (sent.replace("TD4*HM*D*5.1~", party + "TD4*HM*D*5.1~").replace("SE*18*", "SE*19*"),
                            "(line 1) 'TD4 HM D 5.1'"),
             "words": (sent.replace("TD4*HM*D*5.1~", "TD4****KEEP DRY~"), "(line 1) 'KEEP DRY'")}
    for name, (text, quoted) in cases.items():
        path = tmp_path / f"{name.replace(' ', '-')}.x12"
        path.write_text(text)
        assert quoted in notes_of(path), name
    assert "(line 1)" not in notes_of(tmp_path / "heading-party.x12")  # the party's, not a line's


def notes_of(path) -> str:
    """The NOTES_NOT_KEPT message inspect gives for ``path`` (one at most), "" for none."""
    from tests.retailer_support import inspected

    notes = [f["message"] for f in inspected(path)["findings"] if f["code"] == "NOTES_NOT_KEPT"]
    assert len(notes) <= 1
    return " ".join(notes)


def test_a_load_marked_hazardous_in_the_heading_is_named_in_the_order_loop(tmp_path, maps):  # noqa: F811
    """A PO marking its whole load hazardous (TD4*HM*D*5.1 in the heading, after its TD5) keeps it with the order
    (ORDERS hazmat_sent; no note) and its 856 writes it back in the order's HL loop (TD4 at 140 there: after PRF,
    before REF), in no item loop; our validator, Bots and pyx12 accept the 856. It used to be quoted to ops only."""
    import shutil

    from tests.retailer_support import all_sent_accepted

    fixtures = tmp_path / "rg47"
    shutil.copytree(FIXTURES, fixtures)
    po = next((fixtures / "drops" / "orscheln").iterdir())
    sent = po.read_text()
    po.write_text(sent.replace("TD4*HM*D*5.1~", "").replace("TD5*O*2*ODFL~", "TD5*O*2*ODFL~TD4*HM*D*5.1~"))
    assert notes_of(po) == ""
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text().splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if r.startswith(("Shipment ID", "OR-SHP-01"))))
    ws, found, states = shipped_night(of_its_own(fixtures, tmp_path / "ws", {"orscheln": [po.name]},
                                                 warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY, messages=True)
    assert {f[0] for f in found} <= {"ASN_LATE"} and states == {("orscheln", "OR7734410"): "invoiced"}
    asn = po_segments(segments(ws, "orscheln", "856"), "OR-SHP-01", "BSN")
    assert [s for s in asn if s[0] == "TD4"] == [["TD4", "HM", "D", "5.1"]]
    order = next(k for k, s in enumerate(asn) if s[0] == "HL" and s[3] == "O")
    ids = [s[0] for s in asn[order:next(k for k in range(order + 1, len(asn)) if asn[k][0] == "HL")]]
    assert ids[:2] == ["HL", "PRF"] and "TD4" in ids
    assert not {"REF", "N1", "PER"} & set(ids[:ids.index("TD4")])  # TD4 (140) before the loop's REF (150), N1 (220)
    all_sent_accepted(ws, {"orscheln": POS["orscheln"]}, tmp_path, maps, shipments=1, answers=1)


def test_the_856_names_the_hazardous_item_as_the_po_marked_it(night):
    """The 856 writes each item's hazardous-material marking as its PO line sent it: a TD4 in the item's HL loop
    (position 140 of the 004010 856's HL loop, after its PID and before its REFs), in every I loop of the line (one
    per carton, or per store's carton for Coastal's propane), and in no other item's. It wrote none: the order kept
    no hazmat column, and the marking reached ops as a note only. Other partners' 856s (no TD4 in their POs) are as
    before: Murdoch's carries none."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "orscheln", "856"), "OR-SHP-01", "BSN")
    loops = {loop[1][1]: loop for loop in _item_loops(asn)}
    assert set(loops) == {"1", "2"}
    fertiliser = loops["1"]
    assert [s for s in fertiliser if s[0] == "TD4"] == [["TD4", "HM", "D", "5.1"]]
    ids = [s[0] for s in fertiliser]
    assert ids.index("TD4") > max(k for k, i in enumerate(ids) if i in ("LIN", "SN1", "PO4", "PID", "MEA"))
    assert not [s for s in loops["2"] if s[0] == "TD4"]
    assert [s for s in asn if s[0] == "TD4"] == [["TD4", "HM", "D", "5.1"]]
    coastal = po_segments(segments(ws, "coastal", "856"), "CF-SHP-01", "BSN")
    propane = [loop for loop in _item_loops(coastal) if loop[1][1] == "2"]
    assert len(propane) == 3  # one per store
    assert all([s for s in loop if s[0] == "TD4"] == [["TD4", "HM", "D", "2.1"]] for loop in propane)
    assert len([s for s in coastal if s[0] == "TD4"]) == 3
    assert not [s for s in segments(ws, "murdochs", "856") if s[0] == "TD4"]


def test_order_lines_stored_before_hazmat_was_kept_read_it_as_none(tmp_path):
    """Order and line tables stored before hazmat_sent was kept read it as null (connectors.order_store:
    ADDED_LATER, LINES_ADDED_LATER): their 856s carry no TD4, as before."""
    import pyarrow.parquet as pq

    from connectors.order_store import OrderStore
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from schemas.orders import ADDED_LATER, LINES_ADDED_LATER, ORDER_LINES, ORDERS

    path = next((FIXTURES / "drops" / "orscheln").iterdir())
    result = read_interchanges(path.read_bytes(), file=str(path))
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="orscheln")
    store = OrderStore(tmp_path)
    store.save("orscheln", "old", orders, lines)
    for kind in ("orders", "lines"):
        stored = tmp_path / "orscheln" / f"old.{kind}.parquet"
        pq.write_table(pq.read_table(stored).drop_columns(["hazmat_sent"]), stored)
    heads, loaded = store.load("orscheln", "old")
    assert loaded.schema == ORDER_LINES and loaded["hazmat_sent"].to_pylist() == [None, None]
    assert heads.schema == ORDERS and heads["hazmat_sent"].to_pylist() == [None]
    assert "hazmat_sent" in LINES_ADDED_LATER and "hazmat_sent" in ADDED_LATER


def test_an_856_writes_each_marking_as_sent_within_the_segment_s_limits():
    """hazmat_segments: each marking a TD4 as sent (elements not sent empty: TD4*HM for TD401 alone), TD404 cut to its
    80 characters, 5 TD4s at most (the 856 HL loop's max use)."""
    from engine.asn import hazmat_segments

    assert hazmat_segments([("HM", "D", "5.1", ""), ("HM", "", "", "")]) == [["TD4", "HM", "D", "5.1", ""],
                                                                          ["TD4", "HM", "", "", ""]]
    long = hazmat_segments([("HM", "D", "2.1", "X" * 90)])
    assert len(long[0][4]) == 80
    assert len(hazmat_segments([("HM", "D", str(k), "") for k in range(1, 8)])) == 5
