"""The ship run's columnar shipments (engine.shipments.shipment_columns written by
engine.asn_columnar.write_856_texts, planned by engine.lifecycle.shipping without Shipment/Pack/Item objects)
give what assemble_shipments' objects give: the same 856 text and segment count per shipment, the same
summary (header, partner, ship-to, POs, the cartons and pallets its record lists), and the same plan
(documents, records, order moves, lines, reservations, findings) whether the plan takes the columnar
path or not: S-O-P-I and S-O-T-P-I (pallets, cartons beside them), S-O-I and S-O-I-P (left to the
objects), partial shipments, shipments held or refused, items without a carton, a value holding a
delimiter, weights, decimals, rows interleaved."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from datetime import date, time
from decimal import Decimal

import pyarrow as pa
import pytest

from engine.asn import MARK_FOR_COLUMNS, REF_COLUMNS
from engine.asn_columnar import build_856_texts, write_856_texts
from engine.envelope import envelope_for, usual_delimiters
from engine.lifecycle import shipping
from engine.shipments import assemble_shipments, number_ssccs, shipment_columns, sscc_needs
from parsers.shipments_csv import read_shipment_csv
from schemas.findings import finding
from schemas.fulfilment import AsnSettings, ShipmentCsvMapping
from schemas.lifecycle import OrderState
from schemas.orders import ORDER_LINES, ORDERS
from schemas.shipment_records import RecordedCarton
from schemas.shipments import RECORDED_CARTONS, SHIPMENT_LINES, Party
from tests.lifecycle.helpers import AT, RUN, outcome_of, po, record
from tests.lifecycle.test_shipping import (
    CREATED,
    EAST,
    ITEM_TABLE,
    PROFILES,
    line_table,
    order_lines,
    reservation_table,
    reserved,
)
from tests.shipping_support import PREFIX

SHIP_FROM = EAST.ship_from.party()
COLUMNAR = shipping._from_columns  # the columnar path, as imported (a test replaces it to plan without it)
ENV = envelope_for(PROFILES["acme"])
HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Tracking Number,PO Number,PO Line,SKU,Quantity,Unit,Carton ID,"
          "Pallet ID,Carton Weight,Weight Unit\n")


def profiles_with(structure: str, **asn):
    acme = PROFILES["acme"]
    fulfilment = acme.fulfilment.model_copy(update={
        "asn": acme.fulfilment.asn.model_copy(update={"structure": structure, **asn}),
        "sscc": acme.fulfilment.sscc.model_copy(update={"pallet_extension_digit": 1})})
    return {**PROFILES, "acme": acme.model_copy(update={"fulfilment": fulfilment})}


def both_plans(monkeypatch, rows: str, *, structure: str = "SOPI", refused=None, state=OrderState.ACKNOWLEDGED,
               body: list[str] | None = None, asn: dict | None = None):
    """The plan of a CSV confirmation of acme's PO-1 (``body``: its 850's segments, else po()'s) with the columnar
    path, without it, and whether the columnar path wrote the file (``asn``: acme's AsnSettings changed so)."""
    profiles = profiles_with(structure, **(asn or {}))
    table, found = read_shipment_csv((HEADER + rows).encode(), ShipmentCsvMapping(), file="c.csv",
                                     source_sha256="sha")
    rec = record(state, lines_key="k")
    lines, reservations = line_table(order_lines()), reservation_table(reserved())
    read = shipping.Confirmations(table, tuple(found), "c.csv", "sha")
    batch = shipping.prepare_shipments(read, warehouse=EAST, state=shipping.line_state_table(lines, reservations),
                                       items=ITEM_TABLE, recorded=RECORDED_CARTONS.empty_table(), profiles=profiles)
    if refused:
        batch = shipping.holding(batch, set(refused), profiles)
    out = outcome_of(body or po())

    def plan():
        return shipping.plan_shipments(
            batch, serials={p: list(range(100, 100 + n)) for p, n in batch.serials_needed.items()},
            records={rec.key: rec}, lines=lines, reservations=reservations, orders=out.orders, order_lines=out.lines,
            items=ITEM_TABLE, profiles=profiles, created=CREATED, at=AT, run_id=RUN,
            source={"source_kind": "csv", "source_file": "c.csv", "source_sha256": "sha"}, refused=refused)

    used = []

    def spy(*args, **kwargs):
        got = COLUMNAR(*args, **kwargs)
        used.append(got is not None)
        return got

    monkeypatch.setattr(shipping, "_from_columns", spy)
    new = plan()
    monkeypatch.setattr(shipping, "_from_columns", lambda *args, **kwargs: None)
    old = plan()
    return new, old, any(used)


ROWS = ("S1,2026-11-27,14:10,UPSN,1Z1,PO-1,1,SKU-1,5,EA,C1,,,\n"
        "S1,2026-11-27,14:10,UPSN,1Z1,PO-1,2,SKU-2,2,EA,C2,,,\n"
        "S2,2026-11-27,15:00,FDEG,,PO-1,1,SKU-1,3,EA,C3,,,\n"
        "S1,2026-11-27,14:10,UPSN,1Z1,PO-1,2,SKU-2,1,EA,C1,,,\n")
PALLETS = ("S1,2026-11-27,14:10,UPSN,1Z1,PO-1,1,SKU-1,5,EA,C1,P1,12.5,LB\n"
           "S1,2026-11-27,14:10,UPSN,1Z1,PO-1,2,SKU-2,2,EA,C2,,3,LB\n"
           "S1,2026-11-27,14:10,UPSN,1Z1,PO-1,2,SKU-2,1,EA,C3,P1,1.25,LB\n"
           "S2,2026-11-27,15:00,FDEG,,PO-1,1,SKU-1,3,EA,C4,P2,2,KG\n"
           "S2,2026-11-27,15:00,FDEG,,PO-1,2,SKU-2,1,EA,C5,P3,2,LB\n")

PARCEL = ("S1,2026-11-27,14:10,UPSN,,PO-1,1,SKU-1,5,EA,C1,,,\n"
          "S1,2026-11-27,14:10,UPSN,1Z2,PO-1,2,SKU-2,2,EA,C2,,,\n"
          "S1,2026-11-27,14:10,UPSN,1Z3,PO-1,2,SKU-2,1,EA,C3,,,\n"
          "S1,2026-11-27,14:10,UPSN,1Z2,PO-1,1,SKU-1,1,EA,C2,,,\n")

CASES = {  # name -> (rows, structure, does the columnar path write the file)
    "pick and pack, partial, a line in two cartons": (ROWS, "SOPI", True),
    "pallets and a carton beside them, weights in one unit and in two": (PALLETS, "SOTPI", True),
    "the same rows in S-O-P-I: pallets recorded, not listed": (PALLETS, "SOPI", True),
    "decimal quantities": (ROWS.replace(",5,EA", ",2.5,EA").replace(",3,EA", ",0.125,EA"), "SOPI", True),
    "an SSCC printed as the carton's label": (ROWS.replace(",C3,", ",006141410000000126,"), "SOPI", True),
    "S-O-I: left to the objects": (ROWS, "SOI", False),
    "S-O-I-P: left to the objects": (ROWS, "SOIP", False),
    "items without a carton: held by the checks, the others written": (ROWS.replace(",C3,", ",,"), "SOPI", True),
    "a star in a tracking number: left to the objects": (ROWS.replace("1Z1", "1Z*1"), "SOPI", False),
    "a carton on two pallets' rows": (PALLETS.replace("C3,P1", "C1,P4"), "SOTPI", True),
    "parcel: a tracking number per carton, the first row without": (PARCEL, "SOPI", True),
    "parcel in S-O-I: left to the objects": (PARCEL, "SOI", False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_file_plans_the_same_with_and_without_the_objects(monkeypatch, name):
    rows, structure, columnar = CASES[name]
    new, old, used = both_plans(monkeypatch, rows, structure=structure)
    assert used == columnar
    assert new == old
    if columnar:
        assert new.documents and all(d.sets[0].text for d in new.documents)


def test_a_shipment_refused_or_held_and_the_others_go_on_alike(monkeypatch):
    bad = finding("X12_ELEMENT_TOO_LONG", "MAN02 too long", severity="error")
    new, old, used = both_plans(monkeypatch, ROWS, refused={"S1": [bad]})
    assert used and new == old and [s.shipment_id for s in new.shipments] == ["S2"]
    held = ROWS + "S3,2026-11-27,15:00,FDEG,,PO-1,2,SKU-2,99,EA,C9,,,\n"  # over what is reserved: S3 held
    new, old, used = both_plans(monkeypatch, held, structure="SOTPI")
    assert used and new == old and [s.shipment_id for s in new.shipments] == ["S1", "S2"]


def test_an_order_that_cannot_move_holds_its_shipment_alike(monkeypatch):
    new, old, used = both_plans(monkeypatch, ROWS, state=OrderState.INVOICED)
    assert used and new == old and new.shipments == ()


# --- shipment_columns against assemble_shipments, on random files -----------------------------------

MARKS = [{"buyer_name": "STORE 457", "buyer_id_qualifier": "92", "buyer_id": "0457", "department": "042"},  # a
         # cross-dock PO's store, and the department it names (REF DP)
         {"buyer_name": "JOHN BUYER", "mark_for_name": "STORE 12", "mark_for_id_qualifier": "UL", "mark_for_id": "12"},
         {"buyer_name": "JOHN BUYER"}]  # (a Z7; a buyer without a code: no mark-for; a star: test_asn_856_texts)


def canonical(pos: list[str], marks: bool = False) -> tuple[pa.Table, pa.Table]:
    """ORDERS and ORDER_LINES of acme's ``pos`` (lines "1".."4"; line 3 described with a star in one PO);
    ``marks``: the POs name the MARKS' parties in turn."""
    orders = [{"partner": "acme", "order_ref": f"R-{p}", "po_number": p, "po_date": date(2026, 11, 20 + k),
               "release_number": "R" if k % 2 else None, "ship_to_name": f"DC {k % 2}", "ship_to_id_qualifier": "92",
               "ship_to_id": f"DC{k % 2}", "ship_to_city": "Columbus",
               **{c: None for c in (*MARK_FOR_COLUMNS, *REF_COLUMNS)},
               **(MARKS[k % len(MARKS)] if marks else {})} for k, p in enumerate(pos)]
    lines = [{"partner": "acme", "order_ref": f"R-{p}", "po_number": p, "line_number": n, "line_id": str(n),
              "quantity": Decimal(10 * n), "unit": "EA" if n != 2 else "CA",
              "product_ids": [{"qualifier": "UP", "id": f"0000{n}"}, {"qualifier": "VN", "id": f"SKU-{n}"}]
              if n != 4 else [], "description": "A*B" if (n == 3 and p == "PO-2") else f"ITEM {n}", "upc": None}
             for p in pos for n in range(1, 5)]
    return (pa.Table.from_pylist(orders, schema=pa.schema([ORDERS.field(c) for c in orders[0]])),
            pa.Table.from_pylist(lines, schema=pa.schema([ORDER_LINES.field(c) for c in lines[0]])))


def random_lines(rng: random.Random) -> pa.Table:
    rows = []
    for s in range(rng.randint(1, 4)):
        sid = f"S{s}"
        tracking = rng.choice(["1Z", "", "1Z*9"]) if rng.random() < 0.2 else f"1Z{s}"
        pos = rng.sample(["PO-1", "PO-2", "PO-3", "PO-9"], rng.randint(1, 3))
        for po_number in pos:
            for _carton in range(rng.randint(1, 3)):
                carton = f"C{rng.randint(1, 4)}" if rng.random() < 0.95 else None
                pallet = rng.choice([None, None, "P1", "P2"])
                given = f"00614141{rng.randint(0, 10**9):09d}" if rng.random() < 0.1 else None
                for line in rng.sample(["1", "2", "3", "4"], rng.randint(1, 3)):
                    rows.append({
                        "source_kind": "csv", "shipment_id": sid, "ship_date": date(2026, 11, 27),
                        "ship_time": time(14, s) if s % 2 else None, "carrier_scac": "UPSN" if s != 2 else None,
                        "service_level": rng.choice([None, "G2", "GROUND"]) if s == 1 else None,
                        "tracking_number": (tracking or None) if s != 1 or carton is None else f"1Z{carton}",
                        "bill_of_lading": "BOL-1" if s == 3 else None,
                        "partner": "acme", "po_number": po_number, "line_id": line, "line_number": int(line),
                        "sku": f"SKU-{line}", "item_sku": f"SKU-{line}" if line != "4" else None,
                        "quantity": Decimal(rng.choice(["1", "2", "0.5", "3.25", "7"])),
                        "unit": rng.choice(["EA", None, ""]), "carton_id": carton, "carton_sscc": given,
                        "carton_weight": Decimal(rng.choice(["1.5", "2"])) if rng.random() < 0.6 else None,
                        "weight_unit": rng.choice(["LB", "KG"]) if rng.random() < 0.3 else "LB",
                        "pallet_id": pallet, "pallet_sscc": None, "source_file": "c.csv", "source_sha256": "sha",
                        "isa13": "CSV", "gs06": "", "st02": "", "row_number": len(rows) + 2})
    rng.shuffle(rows)  # the shipments' rows interleaved
    schema = SHIPMENT_LINES.append(pa.field("line_number", pa.int32())).append(pa.field("item_sku", pa.string()))
    return pa.Table.from_pylist(rows, schema=schema)


def carton_records(shipment, ours) -> list[RecordedCarton]:
    """The cartons and pallets shipping._record lists of an assembled shipment: a pallet (its SSCC) once, with the
    first PO on it (a pallet of two POs' cartons is a tare on each order)."""
    out = []
    pallets: set[str] = set()
    for order in shipment.orders:
        for tare in order.tares:
            if tare.sscc and tare.sscc not in pallets:
                pallets.add(tare.sscc)
                out.append(RecordedCarton("T", tare.pallet_id, tare.sscc, ours.get(tare.sscc), "", order.po_number))
            out += [RecordedCarton("P", p.carton_id, p.sscc, ours.get(p.sscc), tare.pallet_id, order.po_number,
                                   p.weight, p.weight_unit) for p in tare.packs if p.sscc]
        out += [RecordedCarton("P", p.carton_id, p.sscc, ours.get(p.sscc), "", order.po_number, p.weight,
                               p.weight_unit) for p in order.packs if p.sscc]
    return out


@pytest.mark.parametrize("structure", ["SOPI", "SOTPI"])
@pytest.mark.parametrize("with_ai", [True, False])
@pytest.mark.parametrize("marks", [False, True], ids=["", "mark-fors"])
def test_random_files_give_the_objects_texts_and_records(structure, with_ai, marks):
    rng = random.Random(f"{structure}{with_ai}")
    orders, lines_of = canonical(["PO-1", "PO-2", "PO-3"], marks)
    asn = AsnSettings(structure=structure, item_po4=rng.random() < 0.5,
                      vendor_number="V 0042" if with_ai else "")  # REF IA in each order, or none
    d, chars = usual_delimiters(ENV)
    written = compared = 0
    marked: set[str] = set()
    for _ in range(60):
        lines = random_lines(rng)
        needs = sscc_needs(lines)
        keys = (*needs.cartons, *needs.pallets)
        ssccs = number_ssccs(keys, PREFIX, 0, 500)
        ours = {code: 500 + k for k, code in enumerate(ssccs.values())}
        shipments = assemble_shipments(lines, orders, lines_of, ship_from=SHIP_FROM, ssccs=ssccs, items=ITEM_TABLE)
        built = shipment_columns(lines, orders, lines_of, pallets=structure == "SOTPI", ssccs=ssccs, items=ITEM_TABLE,
                                 serials=ours)
        if built is None:  # items without a carton: left to the objects
            assert any(o.loose_items for s in shipments for o in s.orders)
            continue
        summaries, flat = built
        assert [s.shipment_id for s in summaries] == [s.shipment_id for s in shipments]
        for summary, shipment in zip(summaries, shipments, strict=True):
            assert (summary.partner, summary.ship_date, summary.ship_time, summary.carrier_scac, summary.service_level,
                    summary.tracking_number, summary.bill_of_lading, summary.ship_to) == (
                shipment.partner, shipment.ship_date, shipment.ship_time, shipment.carrier_scac,
                shipment.service_level, shipment.tracking_number, shipment.bill_of_lading, shipment.ship_to)
            assert summary.po_numbers == tuple(o.po_number for o in shipment.orders)
            assert tuple(("CN", number) for number in summary.more_tracking) == shipment.extra_refs
            assert list(summary.cartons) == carton_records(shipment, ours)
        expected = shipping._confirmed(lines, shipments)
        want = build_856_texts(shipments, asn, d, chars, created=CREATED, expected=expected, sscc_with_ai=with_ai)
        got = write_856_texts(flat, lambda s, made=summaries: _head(made[s], asn), asn, d, chars, created=CREATED,
                              expected=expected, sscc_with_ai=with_ai)
        assert got == want
        written += sum(t is not None for t in got)
        compared += len(got)
        marked.update(n1 for t in got if t is not None
                      for n1 in ("~\nREF*DP*042~\nN1*BY*STORE 457*92*0457~\n", "~\nN1*Z7*STORE 12*UL*12~\n")
                      if n1 in t[0])
    assert written > compared / 4 and written < compared  # most written, and some left to build_856
    assert len(marked) == (2 if marks else 0)  # the orders' mark-fors written (PO-2's as Z7), PO-1's department


def _head(summary, asn):
    from engine.asn import s_segments
    from engine.asn_columnar import ShipmentHead

    return ShipmentHead(summary.shipment_id, bool(summary.po_numbers), s_segments(
        asn, cartons=summary.n_cartons, pallets=summary.n_pallets, weight=summary.weight,
        weight_unit=summary.weight_unit, carrier_scac=summary.carrier_scac, service_level=summary.service_level,
        transport_method=dict(summary.given).get("transport_method") or "M",  # as the ship stage's head reads it
        method_given=bool(dict(summary.given).get("method_given")),
        bill_of_lading=summary.bill_of_lading, tracking_number=summary.tracking_number,
        extra_refs=tuple(("CN", number) for number in summary.more_tracking), ship_date=summary.ship_date,
        ship_time=summary.ship_time, estimated_delivery=None),
        SHIP_FROM, summary.ship_to)


def test_no_lines_and_a_summary_without_ship_to():
    orders, lines_of = canonical(["PO-1"])
    empty = SHIPMENT_LINES.empty_table()
    assert shipment_columns(empty, orders, lines_of, pallets=True) is None
    lines = random_lines(random.Random(3))
    unknown = lines.set_column(lines.schema.get_field_index("po_number"), "po_number",
                               pa.array(["PO-404"] * lines.num_rows, pa.string()))
    unknown = unknown.set_column(unknown.schema.get_field_index("carton_id"), "carton_id",
                                 pa.array(["C1"] * lines.num_rows, pa.string()))
    summaries, _flat = shipment_columns(unknown, orders, lines_of, pallets=False)
    assert all(s.ship_to == Party("ST", "") and s.po_numbers == ("PO-404",) for s in summaries)
    assert [s.shipment_id for s in summaries] == [s.shipment_id for s in assemble_shipments(
        unknown, orders, lines_of, ship_from=SHIP_FROM)]


def test_the_columnar_plan_wrote_the_bench_shape_file(monkeypatch):
    """One partner's S-O-P-I file of many shipments, each a PO in cartons of lines: written in columns."""
    rows = "".join(f"S{k},2026-11-27,14:10,UPSN,1Z{k},PO-1,{n},SKU-{n},1,EA,C{k}-{n},,,\n"
                   for k in range(3) for n in (1, 2))
    new, old, used = both_plans(monkeypatch, rows)
    assert used and new == old and len(new.documents) == 3


def test_a_file_of_two_partners_writes_each_partners_856s_and_plans_alike(monkeypatch):
    """acme (S-O-P-I) and globex (S-O-T-P-I) shipments interleaved in one file: each partner's written in
    columns, the shipments in the file's order, the plan the objects' one; a partner the path cannot write
    (S-O-I) leaves the whole file to the objects, alike."""
    import pyarrow.compute as pc

    def of(partner, po_number, table):
        for name, value in (("partner", partner), ("po_number", po_number)):
            at = table.schema.get_field_index(name)
            field = table.schema.field(at)
            table = table.set_column(at, field, pa.array([value] * table.num_rows, field.type))
        return table

    rows = ("S1,2026-11-27,14:10,UPSN,1Z1,PO-1,1,SKU-1,5,EA,C1,,,\n"
            "S2,2026-11-27,15:00,FDEG,,PO-2,1,SKU-1,3,EA,C3,P1,,\n"
            "S1,2026-11-27,14:10,UPSN,1Z1,PO-1,2,SKU-2,1,EA,C1,,,\n"
            "S3,2026-11-27,15:00,FDEG,,PO-1,2,SKU-2,2,EA,C4,,,\n"
            "S2,2026-11-27,15:00,FDEG,,PO-2,2,SKU-2,1,EA,C5,,,\n")
    for globex, columnar in (("SOTPI", True), ("SOI", False)):
        profiles = profiles_with("SOPI")
        g = profiles["globex"]
        profiles["globex"] = g.model_copy(update={"fulfilment": g.fulfilment.model_copy(update={
            "asn": g.fulfilment.asn.model_copy(update={"structure": globex})})})
        acme_rec = record(OrderState.ACKNOWLEDGED, lines_key="k")
        recs = {acme_rec.key: acme_rec}
        globex_rec = replace(acme_rec, partner="globex", po_number="PO-2")
        recs[globex_rec.key] = globex_rec
        lines = pa.concat_tables([line_table(order_lines()), of("globex", "PO-2", line_table(order_lines()))])
        reservations = pa.concat_tables([reservation_table(reserved()),
                                         of("globex", "PO-2", reservation_table(reserved()))])
        out, other = outcome_of(po()), outcome_of(po(number="PO-2"))
        orders = pa.concat_tables([out.orders, of("globex", "PO-2", other.orders)])
        canonical_lines = pa.concat_tables([out.lines, of("globex", "PO-2", other.lines)])
        table, found = read_shipment_csv((HEADER + rows).encode(), ShipmentCsvMapping(), file="c.csv",
                                         source_sha256="sha")
        read = shipping.Confirmations(table, tuple(found), "c.csv", "sha")
        batch = shipping.prepare_shipments(read, warehouse=EAST, state=shipping.line_state_table(lines, reservations),
                                           items=ITEM_TABLE, recorded=RECORDED_CARTONS.empty_table(),
                                           profiles=profiles)
        assert set(pc.unique(batch.check.lines["partner"]).to_pylist()) == {"acme", "globex"} and not batch.held

        def plan(batch=batch, profiles=profiles, recs=recs, lines=lines, reservations=reservations, orders=orders,
                 canonical_lines=canonical_lines):
            return shipping.plan_shipments(
                batch, serials={p: list(range(100, 100 + n)) for p, n in batch.serials_needed.items()},
                records=recs, lines=lines, reservations=reservations, orders=orders, order_lines=canonical_lines,
                items=ITEM_TABLE, profiles=profiles, created=CREATED, at=AT, run_id=RUN,
                source={"source_kind": "csv", "source_file": "c.csv", "source_sha256": "sha"})

        used: list = []
        monkeypatch.setattr(shipping, "_from_columns",
                            lambda *a, used=used, **k: used.append(COLUMNAR(*a, **k)) or used[-1])
        new = plan()
        monkeypatch.setattr(shipping, "_from_columns", lambda *a, **k: None)
        old = plan()
        assert (used[0] is not None) == columnar
        assert new == old and [s.shipment_id for s in new.shipments] == ["S1", "S2", "S3"]
        assert [s.partner for s in new.shipments] == ["acme", "globex", "acme"]


@pytest.mark.parametrize("structure", ["SOPI", "SOI"])
def test_every_tracking_number_of_a_parcel_shipment_is_on_its_856(monkeypatch, structure):
    """A parcel shipment's cartons each with their own tracking number (UPS/FedEx: one per package): the
    856's S level names each (REF CN, in the order first seen), the columnar path and the objects alike.
    Before: the first row's alone (here none), the others dropped without a word."""
    new, old, _used = both_plans(monkeypatch, PARCEL, structure=structure)
    assert new == old
    body = new.documents[0].sets[0].text
    d = new.documents[0].delimiters
    refs = [seg.split(d.element)[1:] for seg in body.split(d.segment + d.suffix) if seg.startswith("REF")]
    assert [r for r in refs if r[0] == "CN"] == [["CN", "1Z2"], ["CN", "1Z3"]]


def test_a_carton_weighed_on_a_later_row_than_its_first_keeps_its_weight(monkeypatch):
    """A WMS export writing the carton's weight on one of its rows only (its last, its total line): the
    carton's weight is the first its rows give, in the 856 (TD1) and the record, by both paths. Before:
    the first row's (none): the weight dropped, the shipment's TD1 without a gross weight."""
    rows = ("S1,2026-11-27,14:10,UPSN,1Z1,PO-1,1,SKU-1,5,EA,C1,,,\n"
            "S1,2026-11-27,14:10,UPSN,1Z1,PO-1,2,SKU-2,2,EA,C1,,12.5,LB\n"
            "S1,2026-11-27,14:10,UPSN,1Z1,PO-1,2,SKU-2,1,EA,C2,,3,KG\n")
    new, old, used = both_plans(monkeypatch, rows)
    assert used and new == old
    (s,) = new.shipments
    assert [(c.label, c.weight, c.weight_unit) for c in s.cartons] == [("C1", Decimal("12.5"), "LB"),
                                                                        ("C2", Decimal(3), "KG")]


@pytest.mark.parametrize(("td5", "written"), [
    ("TD5*O***H*WILL CALL", [["TD5", "B", "", "", "H"]]),  # will-call: the PO's customer pick-up, as it sent it
    ("TD5*O*2*UPSN*U", []),  # routed by a carrier the warehouse did not confirm: nothing said of how it went
    (None, []),
])
def test_a_will_call_shipment_without_a_carrier_says_the_po_s_customer_pick_up(monkeypatch, td5, written):
    """A will-call PO (Hajoca's TD5*O***H: the customer's own truck picks up at the counter) confirmed with no
    carrier: the 856's S level has the PO's TD504 in a TD5 of its own (TD5*B***H; R0204050612 asks one of TD502,
    TD504, TD505...: TD504 alone is valid), by both paths; guides that require the TD5 get one, and no carrier is
    made up. Before: no TD5 at all. A PO routed by a carrier (TD503) the confirmation does not name: still none."""
    rows = ("S1,2026-11-27,14:10,,,PO-1,1,SKU-1,5,EA,C1,,,\n"
            "S1,2026-11-27,14:10,,,PO-1,2,SKU-2,2,EA,C2,,,\n")
    assert _td5s_written(monkeypatch, td5, rows) == written


def _td5s_written(monkeypatch, td5: str | None, rows: str) -> list[list[str]]:
    """The TD5s of the 856 of ``rows`` for PO-1 sent with ``td5`` (None: none) after its DTM, the same by both paths
    (the columnar one writing it)."""
    body = po() if td5 is None else [*po()[:3], td5, *po()[3:]]
    new, old, used = both_plans(monkeypatch, rows, body=body)
    assert used and new == old
    body_text, d = new.documents[0].sets[0].text, new.documents[0].delimiters
    return [seg.split(d.element) for seg in body_text.split(d.segment + d.suffix) if seg.startswith("TD5")]


@pytest.mark.parametrize(("td5", "written"), [
    ("TD5*O*2*UPSN*U*UPS NEXT DAY AIR*******ND", ["TD5", "B", "2", "UPSN", "U", "", "", "", "", "", "", "", "ND"]),
    ("TD5*O****UPS GROUND*******CG", ["TD5", "B", "2", "UPSN", "U", "", "", "", "", "", "", "", "CG"]),  # no carrier
    ("TD5*O*2*FDEG*M********SE", ["TD5", "B", "2", "UPSN", "U"]),  # routed by FedEx: its level says nothing of UPS's
    (None, ["TD5", "B", "2", "UPSN", "U"]),
])
def test_a_confirmation_without_a_service_level_carries_the_po_s_td512(monkeypatch, td5, written):
    """A drop-ship PO routed at a service level (TD512 ND, SE, CG) that the warehouse confirms with no Service
    Level: the 856's TD5 carries the PO's (the partner routed it, and checks the ASN against it), by both paths,
    when the PO's TD5 names the carrier that shipped or none. Before: a TD5 without TD512."""
    rows = ("S1,2026-11-27,14:10,UPSN,1Z1,PO-1,1,SKU-1,5,EA,C1,,,\n"
            "S1,2026-11-27,14:10,UPSN,1Z1,PO-1,2,SKU-2,3,EA,C1,,,\n")
    assert _td5s_written(monkeypatch, td5, rows) == [written]


@pytest.mark.parametrize(("td5", "written"), [
    ("TD5*O*2*UPSN*M*UPS GROUND*******SG", ["TD5", "B", "2", "UPSN", "M", "GND", "", "", "", "", "", "", "SG"]),
    ("TD5*O****UPS GROUND*******CG", ["TD5", "B", "2", "UPSN", "U", "GND", "", "", "", "", "", "", "CG"]),
    ("TD5*O*2*FDEG*M********SE", ["TD5", "B", "2", "UPSN", "U", "GND"]),  # routed by FedEx: says nothing of UPS's
    (None, ["TD5", "B", "2", "UPSN", "U", "GND"]),
])
def test_a_service_level_named_in_words_keeps_the_po_s_td512_beside_it(monkeypatch, td5, written):
    """A drop-ship PO routed UPS at a service level (Target.com DVS's TD512 SG) that the warehouse confirms with
    its service named (GND, not a code of element 284): the 856's TD5 has the name as routing text (TD505) and the
    PO's code in TD512, by both paths; a PO routed by another carrier, the name alone. Before: the name hid the
    PO's code and the 856 had no TD512."""
    monkeypatch.setattr(sys.modules[__name__], "HEADER", HEADER.replace("Carrier,", "Carrier,Service Level,"))
    rows = ("S1,2026-11-27,14:10,UPSN,GND,1Z1,PO-1,1,SKU-1,5,EA,C1,,,\n"
            "S1,2026-11-27,14:10,UPSN,GND,1Z1,PO-1,2,SKU-2,3,EA,C1,,,\n")
    assert _td5s_written(monkeypatch, td5, rows) == [written]


@pytest.mark.parametrize("level", ["shipment", "order"])
def test_the_ship_to_s_contact_is_carried_to_the_856_for_a_partner_whose_guide_asks_for_it(monkeypatch, level):
    """A drop-ship PO's N1*ST loop with the consumer's PER (phone, email): a partner with [fulfilment.asn]
    ship_to_contact gets it back as sent in the 856's N1*ST loop, after its N4 (PER is at 270 of the 856's N1 loop);
    a partner without it, the 856 as before (no PER; the columnar path writes it). The heading's own PER (the buyer's
    desk, before the N1 loops) is no ship-to's contact. Before: the ship-to's PER was not read, and no 856 had it."""
    body = [*po()[:2], "PER*BD*BUYER DESK*TE*6145550000", *po()[2:6],
            "PER*IC*MARIA GONZALEZ*TE*5125550100*EM*maria@example.com", *po()[6:]]
    assert body[6:8] == ["N4*Columbus*OH*43215*US", "PER*IC*MARIA GONZALEZ*TE*5125550100*EM*maria@example.com"]
    rows = ("S1,2026-11-27,14:10,UPSN,1Z1,PO-1,1,SKU-1,5,EA,C1,,,\n"
            "S1,2026-11-27,14:10,UPSN,1Z1,PO-1,2,SKU-2,3,EA,C1,,,\n")

    def segs(plan):
        d = plan.documents[0].delimiters
        return [seg.split(d.element) for seg in plan.documents[0].sets[0].text.split(d.segment + d.suffix) if seg]

    new, old, used = both_plans(monkeypatch, rows, body=body, asn={"ship_to_contact": True, "ship_to_level": level})
    assert not used and new == old
    got = segs(new)
    st = next(k for k, seg in enumerate(got) if seg[:2] == ["N1", "ST"])
    assert [seg[0] for seg in got[st:st + 4]] == ["N1", "N3", "N4", "PER"]
    assert got[st + 3] == ["PER", "IC", "MARIA GONZALEZ", "TE", "5125550100", "EM", "maria@example.com"]
    assert [seg for seg in got if seg[0] == "PER"] == [got[st + 3]]
    plain, _old, used = both_plans(monkeypatch, rows, body=body, asn={"ship_to_level": level})
    assert used == (level == "shipment") and [seg for seg in segs(plain) if seg[0] == "PER"] == []
    assert [seg for seg in got if seg[0] != "PER"] == segs(plain)


@pytest.mark.parametrize("structure", ["SOPI", "SOTPI", "SOI", "SOIP"])
def test_the_ship_to_in_each_order_loop_where_the_partner_s_guide_puts_it(monkeypatch, structure):
    """Lowe's 856 lists N1 ST at the order level: ship_to_level "order" writes the ship-to's N1 loop (N1, N3, N4) in
    each order loop after its PRF and REFs, the S level keeping the ship-from; written by build_856 (the columnar
    path leaves it), the HL tree as before. Before: the ship-to at the S level whatever the profile said."""
    new, old, used = both_plans(monkeypatch, ROWS, structure=structure, asn={"ship_to_level": "order"})
    assert not used and new == old
    default, _old, _used = both_plans(monkeypatch, ROWS, structure=structure)
    assert len(new.documents) == len(default.documents) >= 1  # S-O-I-P: S1 (a mixed carton) held alike
    for doc, moved in zip(new.documents, default.documents, strict=True):
        d = doc.delimiters
        segs = [seg.split(d.element) for seg in doc.sets[0].text.split(d.segment + d.suffix) if seg]
        before = [seg.split(d.element) for seg in moved.sets[0].text.split(d.segment + d.suffix) if seg]
        assert [s for s in segs if s[0] == "HL"] == [s for s in before if s[0] == "HL"]  # the same tree
        o = next(k for k, s in enumerate(segs) if s[0] == "HL" and s[3] == "O")
        st = next(k for k, s in enumerate(before) if s[:2] == ["N1", "ST"])
        party = before[st:st + 3]  # N1 ST, N3, N4 as the S level had them
        assert [s[0] for s in party] == ["N1", "N3", "N4"]
        assert [s[:2] for s in segs[:o] if s[0] == "N1"] == [["N1", "SF"]]
        refs = [s[0] for s in segs[o + 2:]].index("N1")  # after PRF and its REFs
        assert segs[o + 1][0] == "PRF" and {s[0] for s in segs[o + 2:o + 2 + refs]} <= {"REF"}
        assert segs[o + 2 + refs:o + 5 + refs] == party
        assert sorted(map(tuple, segs)) == sorted(map(tuple, before))  # one order loop: the same segments, moved
