"""PO105 (element 639) can say PO104 is not a price per PO103 unit: per hundred (HP), per thousand (TP),
per dozen (PD), their catalog/quoted/contract/wholesale twins, or per pound of a line ordered in eaches.
Our prices, order values and invoices are per unit, so such a line was compared, totalled and would be
invoiced 12 to 100,000 times off (held with a false PRICE_OUT_OF_TOLERANCE and CREDIT_LIMIT_EXCEEDED,
and approved, invoiced at 100 times). Now the order waits for a person with PRICE_BASIS_UNSUPPORTED
saying why, and no misleading price finding; per-unit bases (PE, catalog, contract ...) are unchanged.
A price per several units that is exact per unit at our 4 decimals (456 per hundred is 4.56 per each) is
now restated per unit by the reader (PO105 PE; PRICE_BASIS_CONVERTED, a warning) and the order answered;
the inexact ones (4560.05 per thousand: 4.56005) were held; they are now kept as sent with their basis
(tests/test_price_per_many_eaches.py); prices per pound of a line in
eaches, per hundred pounds of one in pounds wait."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.state import StateStore
from rules.business.money import _price_basis_findings, _price_not_per_unit
from tests.support import GOOD_PO, REPO, make_workspace, run_stages, shipping_workspace, x12_850
from tests.test_change_orders import docs

NIGHT = datetime(2026, 11, 27, 2)


def _night(tmp_path, lines):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + lines))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    return ws, state.order("acme", "PO-1"), [f["code"] for f in state.findings(po_number="PO-1", partner="acme")]


@pytest.mark.parametrize("line", [
    # per hundred, thousand or dozen of a line in eaches not exact per each (456.001 HP, 4560.05 TP, 54.73 PD, 456.005
    # QH) are no longer held: kept as sent with their basis (tests/test_price_per_many_eaches.py)
    "PO1*1*10*LB*456.001*HP*VN*VP-1011",    # per hundred pounds of a line in pounds, 4.56001 per LB: a weight
    "PO1*1*10*EA*4.56*PP*VN*VP-1011",       # per pound, the line in eaches
])
def test_a_price_not_per_unit_holds_the_order_saying_why(tmp_path, line):
    ws, order, codes = _night(tmp_path, [line, "CTT*1"])
    assert order.state == "held"
    assert "PRICE_BASIS_UNSUPPORTED" in order.hold_codes and codes.count("PRICE_BASIS_UNSUPPORTED") == 1
    assert not {"PRICE_OUT_OF_TOLERANCE", "DISCOUNT_OVER_THRESHOLD"} & set(codes), codes
    assert "PO-1" not in docs(ws, "855")


@pytest.mark.parametrize("basis", ["PE", "CT", "CA", "QE", "WE", "NT", ""])
def test_a_price_per_unit_is_answered_as_before(tmp_path, basis):
    ws, order, codes = _night(tmp_path, [f"PO1*1*10*EA*4.56*{basis}*VN*VP-1011", "CTT*1"])
    assert order.state == "acknowledged", order.hold_codes
    assert "PRICE_BASIS_UNSUPPORTED" not in codes
    [(_, bak02, acks)] = docs(ws, "855")["PO-1"]
    assert bak02 == "AD" and [a[0] for a in acks] == ["IA"]


def test_a_price_per_pound_of_a_line_in_pounds_is_per_unit():
    lines = pa.table({"price_basis": ["PP", "PP", "HP", None, "PE"], "unit": ["LB", "EA", "LB", "EA", None]})
    assert _price_not_per_unit(lines).tolist() == [False, True, True, False, False]


def test_the_finding_names_the_price_per_unit():
    lines = pa.table({"source_file": ["f"], "isa13": ["1"], "gs06": ["1"], "st02": ["0001"],
                      "segment_position": [5], "file_segment": [7], "line_number": [1], "partner": ["acme"],
                      "unit": ["LB"], "unit_price": pa.array([Decimal("456.0000")], pa.decimal128(18, 4)),
                      "price_basis": ["HP"]})  # (in EA it is kept as sent: tests/test_price_per_many_eaches.py)
    [f] = _price_basis_findings(lines, _price_not_per_unit(lines))
    assert f.code == "PRICE_BASIS_UNSUPPORTED" and "100 LB" in f.message and "4.56 per LB" in f.message
    assert "100 times too high" in f.message


@pytest.mark.parametrize(("line", "sent", "each"), [
    ("PO1*1*120*EA*456*HP*VN*VP-1011", "PO104 456 with PO105 HP is the price of 100 EA", "PE"),
    ("PO1*1*120*EA*4560*TP*VN*VP-1011", "PO104 4560 with PO105 TP is the price of 1,000 EA", "PE"),
    ("PO1*1*120*EA*54.72*PD*VN*VP-1011", "PO104 54.72 with PO105 PD is the price of 12 EA", "PE"),
    # a quoted (contract) price per hundred is the quoted (contract) price per each
    ("PO1*1*120*EA*456*QH*VN*VP-1011", "PO104 456 with PO105 QH is the price of 100 EA", "QE"),
    ("PO1*1*120*EA*456*TC*VN*VP-1011", "PO104 456 with PO105 TC is the price of 100 EA", "TE"),
])
def test_a_price_per_many_exact_per_unit_is_answered_per_unit(tmp_path, line, sent, each):
    ws, order, codes = _night(tmp_path, [line, "CTT*1"])
    assert order.state == "acknowledged", order.hold_codes
    assert "PRICE_BASIS_UNSUPPORTED" not in codes and codes.count("PRICE_BASIS_CONVERTED") == 1
    state = StateStore(ws.state_path)
    [f] = [f for f in state.findings(po_number="PO-1", partner="acme") if f["code"] == "PRICE_BASIS_CONVERTED"]
    assert f["message"] == (f"{sent}: taken as 4.56 per EA, exactly; our 855 and 810 state it per unit "
                            f"(PO105/IT105 {each}).")
    quantity = line.split("*")[2]
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    segments = path.read_text().replace("\n", "").split("~")
    assert [s for s in segments if s[:3] in ("BAK", "PO1", "ACK", "CTT")] == [
        "BAK*00*AD*PO-1*20261126*****20261127", f"PO1*1*{quantity}*EA*4.56*{each}*VN*VP-1011",
        f"ACK*IA*{quantity}*EA*068*20261210", f"CTT*1*{quantity}"]


def test_a_converted_price_reaches_the_810_per_unit_and_extensions_round_half_up(tmp_path):
    """1970 per hundred EA is answered and invoiced as 19.70 per EA; a 4-decimal price's extension (2 x
    4.5625 = 9.125) is rounded half up to cents (9.13; half to even would say 9.12) and TDS01 is the sum
    of the rounded extensions, as engine.invoice states its one rounding rule."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    with open(ws.reference_dir / "prices.csv", "a") as f:
        f.write("acme,SKU-1011,4.5625,USD,2026-11-01,\n")
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + [
        "PO1*1*200*EA*1970*HP*VN*VP-1001", "PO1*2*2*EA*4.5625*PE*VN*VP-1011", "CTT*2"]))
    run_stages(ws, NIGHT)
    assert _segments(ws, "855", ("PO1", "ACK")) == [
        "PO1*1*200*EA*19.7*PE*VN*VP-1001", "ACK*IA*200*EA*068*20261210",
        "PO1*2*2*EA*4.5625*PE*VN*VP-1011", "ACK*IA*2*EA*068*20261210"]
    _ship(ws, [(1, "SKU-1001", 200, "EA"), (2, "SKU-1011", 2, "EA")], 28)
    assert _segments(ws, "810", ("IT1", "TDS", "CTT")) == [
        "IT1*1*200*EA*19.7*PE*VN*VP-1001", "IT1*2*2*EA*4.5625*PE*VN*VP-1011", "TDS*394913", "CTT*2"]


def _ship(ws, lines: list[tuple[int, str, int, str]], day: int) -> None:
    shipped = ws.warehouse_drop_root / "east" / "inbox"
    shipped.mkdir(parents=True, exist_ok=True)
    sample = REPO / "sample_files" / "warehouse-drops" / "east" / "east-shipments-20261127.csv"
    head = sample.read_text().splitlines()[0]
    rows = [f"SHP-9,2026-11-{day},14:05,UPSN,G2,1Z999AA10123456784,BOL-9,PO-1,{line},{sku},{qty},{unit},C-1,14.5,LB,"
            for line, sku, qty, unit in lines]
    (shipped / "shipments.csv").write_text("\n".join([head, *rows]) + "\n")
    run_stages(ws, datetime(2026, 11, day, 2))


def _segments(ws, kind: str, tags: tuple[str, ...]) -> list[str]:
    [path] = sorted(ws.drop_root.glob(f"acme/outbox/*-{kind}-*.x12"))
    return [s for s in path.read_text().replace("\n", "").split("~") if s[:3] in tags]


# --- PO105 PE (and kin) on a line in a pack of eaches ------------------------------------------------------
# SKU-1003 (VP-1003) is sold in cases of 12 at 39.20 per each (acme): 470.40 per CA. A partner's translator
# that writes PO105 as the standard means it states 39.20 per each of a CA line; many write PE loosely on the
# price of the case. Both must pass; only a price matching neither reading waits for a person.


def _findings(ws) -> dict[str, str]:
    state = StateStore(ws.state_path)
    return {f["code"]: f["message"] for f in state.findings(po_number="PO-1", partner="acme")}


@pytest.mark.parametrize("basis", ["PE", "TE", "QE", "WE"])
def test_a_price_per_each_of_a_case_line_is_answered_per_case_at_our_price(tmp_path, basis):
    ws, order, codes = _night(tmp_path, [f"PO1*1*2*CA*39.20*{basis}*VN*VP-1003", "CTT*1"])
    assert order.state == "acknowledged", order.hold_codes
    assert codes == ["PRICE_BASIS_PER_EACH"]
    message = _findings(ws)["PRICE_BASIS_PER_EACH"]
    assert message.startswith(f"PO104 39.20 with PO105 {basis} on a line in CA (12 eaches each) is read as the "
                              "price per each")
    assert "470.40 per CA of 12 eaches, against our 39.20 per each (470.40 per CA)" in message
    assert "ACK IP, PO104 470.4" in message
    # the 855 restates the price per CA (what the 810 bills) and says so with IP: 2 x 470.40 = 2 x 12 x 39.20;
    # a price per CA is no price per each, so PO105 is left out (it used to say 470.4 PE: 470.40 per each)
    assert _segments(ws, "855", ("PO1", "ACK")) == ["PO1*1*2*CA*470.4**VN*VP-1003", "ACK*IP*2*CA*068*20261210"]


def test_a_price_per_case_sent_with_pe_still_passes_as_sent(tmp_path):
    ws, order, codes = _night(tmp_path, ["PO1*1*2*CA*470.40*PE*VN*VP-1003", "CTT*1"])
    assert order.state == "acknowledged" and codes == []
    assert _segments(ws, "855", ("PO1", "ACK")) == ["PO1*1*2*CA*470.4*PE*VN*VP-1003", "ACK*IA*2*CA*068*20261210"]


def test_a_price_per_each_matching_neither_reading_is_held_naming_both(tmp_path):
    ws, order, codes = _night(tmp_path, ["PO1*1*2*CA*30*PE*VN*VP-1003", "CTT*1"])
    assert order.state == "held" and codes == ["DISCOUNT_OVER_THRESHOLD"]
    assert _findings(ws)["DISCOUNT_OVER_THRESHOLD"] == (
        "PO104 30.00 with PO105 PE on a line in CA (12 eaches each) matches our price neither way it can be read. "
        "Per CA (as many translators write PE): PO104 30.00 is 93.62% below our price 470.40; more than the 5% that "
        "needs approval. Per each, as PO105 PE says (360.00 per CA of 12 eaches): 23.47% below our 39.20 per each.")


def test_a_price_per_each_of_an_each_line_is_unchanged(tmp_path):
    """PE on a line in eaches has one reading: 39.20 per EA passes, 3.27 (a case price / 12 typo) is held as
    before, without the two-readings text."""
    ws, order, codes = _night(tmp_path, ["PO1*1*24*EA*39.20*PE*VN*VP-1003", "CTT*1"])
    assert order.state == "acknowledged" and codes == []
    ws, order, codes = _night(tmp_path / "2", ["PO1*1*24*EA*3.27*PE*VN*VP-1003", "CTT*1"])
    assert codes == ["DISCOUNT_OVER_THRESHOLD"] and "neither way" not in _findings(ws)["DISCOUNT_OVER_THRESHOLD"]


def test_a_no_charge_line_is_held_saying_it_is_free_goods(tmp_path):
    ws, order, codes = _night(tmp_path, ["PO1*1*2*CA*0*NC*VN*VP-1003", "CTT*1"])
    assert order.state == "held" and codes == ["PRICE_NO_CHARGE"]
    message = _findings(ws)["PRICE_NO_CHARGE"]
    assert "PO105 NC: the buyer marks this line no charge (free goods), PO104 0.00 against our price 470.40" in message
    assert "only then approve the order" in message and "reject the order and ask the buyer for a priced PO" in message
    assert "PO-1" not in docs(ws, "855")


# --- PO105 NC (No Charge): free goods ---------------------------------------------------------------------
# A sample, a replacement, a promotion: the buyer marks the line NC, with PO104 0 or (in versions we hold no
# dictionary for, where C0504 "PO104 required with PO105" is not checked) PO104 left empty. Read as no price,
# the empty one was answered IP and would have been invoiced at our price (470.4 per CA, labelled NC); a
# partner without a discount threshold had PO104 0 answered IP at our price too (PRICE_OUT_OF_TOLERANCE, a
# warning). Now every NC line waits for a person; approved, it is answered and invoiced at no charge.


def _approve_and_ship(ws, lines: list[tuple[int, str, int, str]]) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    res = CliRunner().invoke(app, ["approve", "PO-1", "--partner", "acme", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 28, 2))
    _ship(ws, lines, 29)


@pytest.mark.parametrize(("version", "price"), [("003040", ""), ("004010", "0"), ("004010", "0.00")])
def test_an_approved_no_charge_line_is_answered_and_invoiced_free(tmp_path, version, price):
    """PO1*1*2*CA**NC (3040: no dictionary of ours checks C0504) used to be PRICE_MISSING, answered
    PO1*1*2*CA*470.4*NC with ACK IP and invoiced 2 x 470.40: free goods billed at our price. Held now;
    approved, the 855 says PO104 0 with NC (ACK IA) and the 810 bills IT104 0 with IT105 NC, the other line
    at its price: TDS 9.12 (2 x 4.56)."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    body = x12_850(GOOD_PO[:6] + [f"PO1*1*2*CA*{price}*NC*VN*VP-1003", "PO1*2*2*EA*4.56*PE*VN*VP-1011", "CTT*2"])
    (inbox / "po.x12").write_bytes(body.replace(b"*X*004010~", f"*X*{version}~".encode()))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    order = state.order("acme", "PO-1")
    assert order.state == "held" and order.hold_codes == ("PRICE_NO_CHARGE",)
    assert [f["code"] for f in state.findings(po_number="PO-1", partner="acme")] == ["PRICE_NO_CHARGE"]
    state.close()
    assert not sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    _approve_and_ship(ws, [(1, "SKU-1003", 2, "CA"), (2, "SKU-1011", 2, "EA")])
    assert _segments(ws, "855", ("PO1", "ACK")) == [
        "PO1*1*2*CA*0*NC*VN*VP-1003", "ACK*IA*2*CA*068*20261210",
        "PO1*2*2*EA*4.56*PE*VN*VP-1011", "ACK*IA*2*EA*068*20261210"]
    assert _segments(ws, "810", ("IT1", "TDS", "CTT")) == [
        "IT1*1*2*CA*0*NC*VN*VP-1003", "IT1*2*2*EA*4.56*PE*VN*VP-1011", "TDS*912", "CTT*2"]


def test_a_no_charge_line_waits_whatever_the_discount_threshold(tmp_path):
    """A partner whose discounts need no approval (threshold 100%): PO104 0 NC was PRICE_OUT_OF_TOLERANCE, a
    warning, and answered IP at our price; it waits for a person like any free line."""
    ws = make_workspace(tmp_path / "ws", partners=())
    customers = ws.reference_dir / "customers.csv"
    rows = customers.read_text().splitlines()
    column = rows[0].split(",").index("discount_approval_threshold_percent")
    fixed = [rows[0]] + [",".join(c if i != column or not r.startswith("acme,") else "100"
                                  for i, c in enumerate(r.split(","))) for r in rows[1:]]
    customers.write_text("\n".join(fixed) + "\n")
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + ["PO1*1*2*CA*0*NC*VN*VP-1003", "CTT*1"]))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    assert [f["code"] for f in state.findings(po_number="PO-1", partner="acme")] == ["PRICE_NO_CHARGE"]
    assert state.order("acme", "PO-1").state == "held"
    assert "PO-1" not in docs(ws, "855")


def test_a_no_charge_item_free_on_our_price_list_is_answered_as_sent(tmp_path):
    """Our price list marks the item free (0): an NC line agrees with it, accepted as sent, no finding."""
    ws = make_workspace(tmp_path / "ws", partners=())
    with open(ws.reference_dir / "prices.csv", "a") as f:
        f.write("acme,SKU-1003,0,USD,2026-11-20,\n")
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + ["PO1*1*2*CA*0*NC*VN*VP-1003", "CTT*1"]))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    assert state.order("acme", "PO-1").state == "acknowledged"
    assert [f["code"] for f in state.findings(po_number="PO-1", partner="acme")] == []
    assert _segments(ws, "855", ("PO1", "ACK")) == ["PO1*1*2*CA*0*NC*VN*VP-1003", "ACK*IA*2*CA*068*20261210"]


def test_an_order_value_counts_a_price_per_each_per_case(tmp_path):
    """Its value is what it is answered at (2 x 470.40), not 2 x 39.20: a minimum order value of 500 is met."""
    ws = make_workspace(tmp_path / "ws", partners=())
    profile = ws.root / "partners" / "acme.toml"
    text = profile.read_text()
    assert "min_order_value" not in text and "\n[rules]\n" in text
    profile.write_text(text.replace("\n[rules]\n", "\n[rules]\nmin_order_value = 500\n", 1))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + ["PO1*1*2*CA*39.20*PE*VN*VP-1003", "CTT*1"]))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    assert [f["code"] for f in state.findings(po_number="PO-1", partner="acme")] == ["PRICE_BASIS_PER_EACH"]
    assert state.order("acme", "PO-1").state == "acknowledged"


@pytest.mark.parametrize(("price", "path"), [("39.20", "columns"), ("39.00", "columns"), ("39.30", "columns"),
                                             ("39.00", "text"), ("39.00", "segments")])
def test_a_price_per_each_of_a_case_line_is_invoiced_per_case(tmp_path, monkeypatch, price, path):
    """2 CA shipped: IT1 2 CA at 470.40 (the 855's price), 940.80, what 24 eaches at 39.20 come to; exact or
    within tolerance (39.00 PE is 0.51% below our 39.20), the number is per CA on both documents, so neither
    labels it PE (they said 470.4 PE: 470.40 per each, twelve times the price). A line in eaches priced PE
    beside it keeps its PE. Each way billing writes an 810 (the night's columns, one invoice's text, segments)
    says the same."""
    from engine.lifecycle import billing

    if path != "columns":
        monkeypatch.setattr(billing, "_text_invoices", lambda *a, **k: {})
    if path == "segments":
        monkeypatch.setattr(billing, "_text_invoice", lambda *a, **k: None)
    ws = shipping_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + [f"PO1*1*2*CA*{price}*PE*VN*VP-1003",
                                                          "PO1*2*2*EA*4.56*PE*VN*VP-1011", "CTT*2"]))
    run_stages(ws, NIGHT)
    assert _segments(ws, "855", ("PO1", "ACK")) == ["PO1*1*2*CA*470.4**VN*VP-1003", "ACK*IP*2*CA*068*20261210",
                                                    "PO1*2*2*EA*4.56*PE*VN*VP-1011", "ACK*IA*2*EA*068*20261210"]
    _ship(ws, [(1, "SKU-1003", 2, "CA"), (2, "SKU-1011", 2, "EA")], 28)
    assert _segments(ws, "810", ("IT1", "TDS", "CTT")) == [
        "IT1*1*2*CA*470.4**VN*VP-1003", "IT1*2*2*EA*4.56*PE*VN*VP-1011", "TDS*94992", "CTT*2"]


# --- an 860 changing the price of a case line priced per each --------------------------------------------------


@pytest.mark.parametrize("change_ack", ["855", "865"])
def test_a_change_of_a_price_per_each_on_a_case_line_is_answered_and_invoiced_per_case(tmp_path, change_ack):
    """The buyer moves 39.20 PE to 39.50 PE (0.77% above our 39.20 per each: read per each, PRICE_BASIS_PER_EACH
    again): the line stays answered at our 470.40 per CA. A partner answered by 855 gets the revised 855 saying
    so (PO104 470.4 without PE, ACK IP); a partner answered by 865 gets the 865 echoing its change and, as our
    price is not the price it asked, the revised 855 too (it used to get the 865 alone, BCA AD with ACK IP:
    'accepted as asked', and an 810 at 470.40 per CA where it expected 474). The 810 bills 2 x 470.40."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    profile = ws.root / "partners" / "acme.toml"
    text = profile.read_text()
    assert 'change_ack = "855"' in text
    profile.write_text(text.replace('change_ack = "855"', f'change_ack = "{change_ack}"'))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + ["PO1*1*2*CA*39.20*PE*VN*VP-1003", "CTT*1"]))
    run_stages(ws, NIGHT)
    from tests.changes.builders import change_body, x12_860

    (inbox / "chg.x12").write_bytes(x12_860(change_body(["POC*1*PC*2*2*CA*39.50*PE*VN*VP-1003"])))
    run_stages(ws, datetime(2026, 11, 28, 2))
    state = StateStore(ws.state_path)
    assert state.order("acme", "PO-1").state == "acknowledged"
    messages = [f["message"] for f in state.findings(po_number="PO-1", partner="acme")
                if f["code"] == "PRICE_BASIS_PER_EACH"]
    assert any(m.startswith("PO104 39.50 with PO105 PE on a line in CA") for m in messages), messages
    state.close()
    outbox = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    assert len(outbox) == 2  # the 850's and the revised one
    revised = [s for s in outbox[-1].read_text().replace("\n", "").split("~") if s[:3] in ("BAK", "PO1", "ACK")]
    assert revised == ["BAK*05*AC*PO-1*20261126*****20261128", "PO1*1*2*CA*470.4**VN*VP-1003",
                       "ACK*IP*2*CA*068*20261210"]
    if change_ack == "865":
        assert _segments(ws, "865", ("BCA", "POC", "ACK")) == [
            "BCA*00*AD*PO-1**3*20261126****20261128*20261128", "POC*1*PC*2*2*CA*39.5*PE*VN*VP-1003", "ACK*IP*2*CA"]
    _ship(ws, [(1, "SKU-1003", 2, "CA")], 29)
    assert _segments(ws, "810", ("IT1", "TDS")) == ["IT1*1*2*CA*470.4**VN*VP-1003", "TDS*94080"]


# --- our price per CA on a line priced PE, whatever the cause ----------------------------------------------------
# A line in CA of 12 priced per each (PO105 PE) that we answer IP at our price per CA for another cause than
# reading it per each: out of tolerance (460 PE: 2.21% below our 470.40 per CA, 1,073% above per each), no
# PO104 at all, or an order held for another line and approved. The number we write (470.4) is per CA; it went
# out labelled PE on the 855 and the 810 (470.40 per each: twelve times the price). The decision's eaches per
# unit travel with the line (its codes: UNIT_EACHES:12), so every 855 and 810 path writes no PE on it.


def _pe_case_order(tmp_path, monkeypatch, path: str, line: str, version: str = "004010",
                   other: str = "PO1*2*2*EA*4.56*PE*VN*VP-1011"):
    from engine.lifecycle import billing
    from flows.workspace import open_workspace
    from tests.support import from_template

    def build(folder) -> None:
        ws = shipping_workspace(folder, partners=())
        inbox = ws.drop_root / "acme" / "inbox"
        inbox.mkdir(parents=True)
        body = x12_850(GOOD_PO[:6] + [line, other, "CTT*2"])
        (inbox / "po.x12").write_bytes(body.replace(b"*X*004010~", f"*X*{version}~".encode()))
        run_stages(ws, NIGHT)

    # the night of the 850, once per session and order, copied (tests.support.from_template): it bills nothing (no
    # shipment yet), so it is the same night whichever 810 path ``path`` then sets for the shipping night
    from_template(f"price-basis-pe-case-{version}-{line}-{other}".replace("*", "+"), tmp_path / "ws", build)
    if path != "columns":
        monkeypatch.setattr(billing, "_text_invoices", lambda *a, **k: {})
    if path == "segments":
        monkeypatch.setattr(billing, "_text_invoice", lambda *a, **k: None)
    return open_workspace(tmp_path / "ws")


@pytest.mark.parametrize("path", ["columns", "text", "segments"])
@pytest.mark.parametrize(("line", "version", "code"), [
    ("PO1*1*2*CA*460*PE*VN*VP-1003", "004010", "PRICE_OUT_OF_TOLERANCE"),
    ("PO1*1*2*CA*480*PE*VN*VP-1003", "004010", "PRICE_OUT_OF_TOLERANCE"),
    ("PO1*1*2*CA**PE*VN*VP-1003", "003040", "PRICE_MISSING"),
])
def test_our_price_per_case_of_a_line_priced_per_each_goes_out_without_pe(tmp_path, monkeypatch, path, line,
                                                                          version, code):
    ws = _pe_case_order(tmp_path, monkeypatch, path, line, version)
    state = StateStore(ws.state_path)
    assert state.order("acme", "PO-1").state == "acknowledged"
    assert [f["code"] for f in state.findings(po_number="PO-1", partner="acme")] == [code]
    assert _segments(ws, "855", ("PO1", "ACK")) == ["PO1*1*2*CA*470.4**VN*VP-1003", "ACK*IP*2*CA*068*20261210",
                                                    "PO1*2*2*EA*4.56*PE*VN*VP-1011", "ACK*IA*2*EA*068*20261210"]
    # the line carries its eaches per CA to billing; the EA line beside it none
    one, two = sorted(state.order_lines("acme", "PO-1"), key=lambda ln: ln.line_number)
    assert one.unit_eaches == 12 and one.ack_price == Decimal("470.4")
    assert two.unit_eaches == 0
    assert not any(c.startswith("UNIT_EACHES:") for c in (*one.codes, *two.codes))  # a column, not a mark
    state.close()
    _ship(ws, [(1, "SKU-1003", 2, "CA"), (2, "SKU-1011", 2, "EA")], 28)
    assert _segments(ws, "810", ("IT1", "TDS", "CTT")) == [
        "IT1*1*2*CA*470.4**VN*VP-1003", "IT1*2*2*EA*4.56*PE*VN*VP-1011", "TDS*94992", "CTT*2"]


@pytest.mark.parametrize("path", ["columns", "text", "segments"])
def test_our_price_per_case_on_an_approved_held_order_goes_out_without_pe(tmp_path, monkeypatch, path):
    """The order waits for a person for its other line (PO105 NC, free goods); approved, the line priced 460
    PE on a CA of 12 (out of tolerance) is answered and invoiced at our 470.40 per CA, without PE."""
    from typer.testing import CliRunner

    from flows.cli import app

    ws = _pe_case_order(tmp_path, monkeypatch, path, "PO1*1*2*CA*460*PE*VN*VP-1003",
                        other="PO1*2*2*EA*0*NC*VN*VP-1011")
    state = StateStore(ws.state_path)
    assert state.order("acme", "PO-1").state == "held"
    assert [f["code"] for f in state.findings(po_number="PO-1", partner="acme")] == [
        "PRICE_OUT_OF_TOLERANCE", "PRICE_NO_CHARGE"]
    state.close()
    assert not sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    res = CliRunner().invoke(app, ["approve", "PO-1", "--partner", "acme", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 28, 2))
    assert _segments(ws, "855", ("PO1", "ACK")) == ["PO1*1*2*CA*470.4**VN*VP-1003", "ACK*IP*2*CA*068*20261210",
                                                    "PO1*2*2*EA*0*NC*VN*VP-1011", "ACK*IA*2*EA*068*20261210"]
    _ship(ws, [(1, "SKU-1003", 2, "CA"), (2, "SKU-1011", 2, "EA")], 29)
    assert _segments(ws, "810", ("IT1", "TDS", "CTT")) == [
        "IT1*1*2*CA*470.4**VN*VP-1003", "IT1*2*2*EA*0*NC*VN*VP-1011", "TDS*94080", "CTT*2"]


def test_the_stated_basis_follows_the_number():
    from schemas.units import stated_basis

    # our price (restated) on a PE line in a pack of 12 (its unit_eaches): none, whatever the finding that made it ours
    assert stated_basis("PE", "PRICE_OUT_OF_TOLERANCE", True, 12) == ""
    assert stated_basis("TE", ("PRICE_MISSING",), True, 24) == ""
    assert stated_basis("PE", "PRICE_BASIS_PER_EACH", True) == ""  # a line stored before it kept its eaches
    # the buyer's own price echoed, a line in eaches (none, or one each a unit), another basis: as sent
    assert stated_basis("PE", "", False, 12) == "PE"
    assert stated_basis("PE", "PRICE_OUT_OF_TOLERANCE", True, 1) == "PE"
    assert stated_basis("PE", "PRICE_OUT_OF_TOLERANCE", True) == "PE"
    assert stated_basis("CA", "", True, 12) == "CA"
    assert stated_basis(None, "", True) == ""


@pytest.mark.parametrize("change_ack", ["855", "865"])
def test_a_change_to_a_price_out_of_tolerance_on_a_case_line_priced_per_each_is_revised_without_pe(tmp_path,
                                                                                                  change_ack):
    """The buyer moves 470.40 PE (our price per CA, passed as sent, PE kept) to 480 PE: 2.04% above our price
    per CA, out of tolerance (PRICE_OUT_OF_TOLERANCE), answered at our 470.40 per CA. The revised 855 states it
    without PE (it said 470.4 PE: per each), the 865 echoes the buyer's 480 PE as sent, the 810 bills 470.4
    without IT105."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    profile = ws.root / "partners" / "acme.toml"
    text = profile.read_text()
    profile.write_text(text.replace('change_ack = "855"', f'change_ack = "{change_ack}"'))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + ["PO1*1*2*CA*470.40*PE*VN*VP-1003", "CTT*1"]))
    run_stages(ws, NIGHT)
    assert _segments(ws, "855", ("PO1", "ACK")) == ["PO1*1*2*CA*470.4*PE*VN*VP-1003", "ACK*IA*2*CA*068*20261210"]
    from tests.changes.builders import change_body, x12_860

    (inbox / "chg.x12").write_bytes(x12_860(change_body(["POC*1*PC*2*2*CA*480*PE*VN*VP-1003"])))
    run_stages(ws, datetime(2026, 11, 28, 2))
    outbox = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    assert len(outbox) == 2
    revised = [s for s in outbox[-1].read_text().replace("\n", "").split("~") if s[:3] in ("PO1", "ACK")]
    assert revised == ["PO1*1*2*CA*470.4**VN*VP-1003", "ACK*IP*2*CA*068*20261210"]
    if change_ack == "865":
        assert _segments(ws, "865", ("POC",)) == ["POC*1*PC*2*2*CA*480*PE*VN*VP-1003"]
    _ship(ws, [(1, "SKU-1003", 2, "CA")], 29)
    assert _segments(ws, "810", ("IT1", "TDS")) == ["IT1*1*2*CA*470.4**VN*VP-1003", "TDS*94080"]


@pytest.mark.parametrize(("lines", "expected"), [
    # a carton the item master does not know, its PO4 saying it is our case of 12
    (["PO1*1*2*CT*460*PE*VN*VP-1003", "PO4*12"], ["PO1*1*2*CT*470.4**VN*VP-1003", "ACK*IP*2*CT*068*20261210"]),
    # a dozen (code list 355: 12 eaches by definition)
    (["PO1*1*2*DZ*480*PE*VN*VP-1003"], ["PO1*1*2*DZ*470.4**VN*VP-1003", "ACK*IP*2*DZ*068*20261210"]),
    # a line in eaches: our price is per each, its PE stays
    (["PO1*1*24*EA*40*PE*VN*VP-1003"], ["PO1*1*24*EA*39.2*PE*VN*VP-1003", "ACK*IP*24*EA*068*20261210"]),
])
def test_our_price_per_pack_known_by_po4_or_unit_goes_out_without_pe(tmp_path, lines, expected):
    ws, order, codes = _night(tmp_path, [*lines, "CTT*1"])
    assert order.state == "acknowledged" and codes == ["PRICE_OUT_OF_TOLERANCE"]
    assert _segments(ws, "855", ("PO1", "ACK")) == expected
