"""The 855 a retailer's guide asks for ([acks.po_ack], schemas.fulfilment.PoAckSettings): REF*IA (our vendor
number at the partner: Saks', Northern Tool's, Scheels' and Sally Beauty's 855 guides require it), the PO's REF*DP
(Saks' requires it) / PD / MR echoed, DTM*068 current schedule ship in the heading (Saks' and Hershey's customers'
guides: DTM required), N1*ST as the PO sent it, and PO1's product ids restricted to the qualifiers a guide allows.
The defaults add nothing (today's 855s unchanged); each option passes our reader, our outbound check, pyx12 with
our maps and Bots; and a run for a partner whose profile turns them on writes them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from engine.po_ack import LineAck, build_855
from parsers.x12_reader import read_interchanges
from rules.outbound import validate_outbound
from schemas.fulfilment import PoAckSettings
from schemas.profile import PartnerProfile
from tests.shipping_support import PROFILES, bots_check, pyx12_map_folders, wrap_for

TODAY = date(2026, 11, 27)
ORDER = {"po_number": "PO-1", "po_date": date(2026, 11, 26), "release_number": None, "department": "042",
         "promotion": None, "merchandise_type": "A1", "ship_to_name": "DC 7", "ship_to_id_qualifier": "92",
         "ship_to_id": "DC07", "ship_date": date(2026, 12, 10)}
LINES = [{"line_number": 1, "line_id": "1", "quantity": Decimal(12), "unit": "EA", "unit_price": Decimal("2.5"),
          "price_basis": "PE", "product_ids": [{"qualifier": "UP", "id": "073000040482"},
                                               {"qualifier": "VN", "id": "SKU-1"}]},
         {"line_number": 2, "line_id": "2", "quantity": Decimal(6), "unit": "EA", "unit_price": Decimal(10),
          "price_basis": "PE", "product_ids": [{"qualifier": "VN", "id": "SKU-2"}]}]
EVERYTHING = PoAckSettings(vendor_number="V 0042", order_refs=("DP", "PD", "MR"), ship_date=True, ship_to=True,
                           product_qualifiers=("UP",))
OPTIONS = {"none": PoAckSettings(), "vendor": PoAckSettings(vendor_number="V 0042"),
           "refs": PoAckSettings(order_refs=("DP", "MR")), "date": PoAckSettings(ship_date=True),
           "ship_to": PoAckSettings(ship_to=True), "qualifiers": PoAckSettings(product_qualifiers=("VN",)),
           "no_ids": PoAckSettings(product_qualifiers=()), "everything": EVERYTHING}


def read_back(content: bytes):
    """Our reader on an 855 we built: our outbound check (reader, envelope rules, the version's dictionary)
    finds no error. Returns the parse."""
    assert [f for f in validate_outbound(content) if f.severity == "error"] == []
    return read_interchanges(content, file="ours.x12")


def body(settings: PoAckSettings, order: dict = ORDER) -> list:
    return build_855(order, LINES, [LineAck("IA"), LineAck("IA")], today=TODAY, settings=settings)


def test_the_defaults_write_the_855_they_always_did():
    assert body(PoAckSettings()) == [
        ["BAK", "00", "AD", "PO-1", "20261126", "", "", "", "", "20261127"],
        ["PO1", "1", "12", "EA", "2.5", "PE", "UP", "073000040482", "VN", "SKU-1"], ["ACK", "IA", "12", "EA"],
        ["PO1", "2", "6", "EA", "10", "PE", "VN", "SKU-2"], ["ACK", "IA", "6", "EA"], ["CTT", "2", "18"]]
    assert PartnerProfile.model_validate(PROFILES["acme"].model_dump()).acks.po_ack == PoAckSettings()


def test_every_option_in_the_heading_order_of_the_855():
    """REF (position 050) before DTM (150) before the N1 loop (300); REF IA, then the PO's references in the
    order the 856 and 810 carry them (DP, PD, MR), only those the PO sent (it sent no PD); PO1 pairs of the
    listed qualifiers, in the PO's order (line 2 sent none of them: a PO1 without product ids)."""
    assert body(EVERYTHING) == [
        ["BAK", "00", "AD", "PO-1", "20261126", "", "", "", "", "20261127"],
        ["REF", "IA", "V 0042"], ["REF", "DP", "042"], ["REF", "MR", "A1"], ["DTM", "068", "20261210"],
        ["N1", "ST", "DC 7", "92", "DC07"],
        ["PO1", "1", "12", "EA", "2.5", "PE", "UP", "073000040482"], ["ACK", "IA", "12", "EA"],
        ["PO1", "2", "6", "EA", "10", "PE"], ["ACK", "IA", "6", "EA"], ["CTT", "2", "18"]]


@pytest.mark.parametrize(("ship_to", "n1"), [
    (("DC 7", None, None), ["N1", "ST", "DC 7"]),  # a name alone
    ((None, "92", "DC07"), ["N1", "ST", "", "92", "DC07"]),  # an id alone (N102 or N103 is required: R0203)
    (("DC 7", None, "DC07"), ["N1", "ST", "DC 7"]),  # an id without its qualifier is not written (P0304)
    ((None, "92", None), None), ((None, None, None), None),  # nothing the N1 could carry: no N1
    (("D" * 59 + " X" * 10, "92", "DC07"), ["N1", "ST", "D" * 59, "92", "DC07"])])  # a name cut to N102's 60
def test_the_ship_to_is_written_as_the_po_sent_it_and_never_half(ship_to, n1):
    order = {**ORDER, **dict(zip(("ship_to_name", "ship_to_id_qualifier", "ship_to_id"), ship_to, strict=True))}
    got = [s for s in body(PoAckSettings(ship_to=True), order) if s[0] == "N1"]
    assert got == ([n1] if n1 else [])


def test_the_references_come_in_the_order_the_856_and_810_carry_them():
    got = body(PoAckSettings(vendor_number="V1", order_refs=("MR", "DP")))
    assert got[1:4] == [["REF", "IA", "V1"], ["REF", "DP", "042"], ["REF", "MR", "A1"]]


def test_a_profile_takes_the_855_settings_and_refuses_what_no_element_holds():
    base = PROFILES["acme"].model_dump()
    base["acks"]["po_ack"] = {"vendor_number": "V 0042", "order_refs": ["DP"], "ship_date": True, "ship_to": True,
                              "product_qualifiers": ["UP", "VN"]}
    assert PartnerProfile.model_validate(base).acks.po_ack == PoAckSettings(
        vendor_number="V 0042", order_refs=("DP",), ship_date=True, ship_to=True, product_qualifiers=("UP", "VN"))
    # order_refs "IA" (the PO's own REF*IA, for a hub's retailers each naming theirs) beside a vendor_number: two
    # REF*IA; an order_refs entry no REF01 can be (element 128: 2-3 capital letters or digits; any such code is taken)
    for bad in ({"vendor_number": " V1"}, {"vendor_number": "V" * 31}, {"vendor_number": "V1", "order_refs": ["IA"]},
                {"order_refs": ["Z"]}, {"order_refs": ["zz"]}, {"order_refs": ["ZZZZ"]},
                {"product_qualifiers": ["UPC"]}, {"product_qualifiers": ["up"]},
                {"dates": ["068"]}):
        with pytest.raises(ValueError):
            PartnerProfile.model_validate({**base, "acks": {**base["acks"], "po_ack": bad}})


@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_our_reader_our_outbound_check_pyx12_and_bots_accept_each_option(partner, option, tmp_path,
                                                                         tmp_path_factory):
    from tests.test_pyx12_outbound import pyx12_accepts

    content = wrap_for(PROFILES[partner], "PR", "855", [body(OPTIONS[option])])
    result = read_back(content)
    assert [ts.set_id for _i, _g, ts in result.transaction_sets()] == ["855"]
    ok, ack = pyx12_accepts(content.decode(), pyx12_map_folders(tmp_path_factory))
    assert ok, ack
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


# --- a run for a partner whose profile turns them on --------------------------------------------------------
NOW = datetime(2026, 11, 27, 2)
PO = ["BEG*00*SA*{po}**20261126", "CUR*BY*USD", "REF*DP*{dept}", "DTM*010*20261210", "N1*ST*{name}*92*DC07",
      "N3*1 Way", "N4*Columbus*OH*43215*US", "PO1*1*12*EA*19.70*PE*UP*614141100101*VN*VP-1001",
      "PO1*2*24*EA*25.70*PE*VN*VP-1013", "CTT*2*36"]


def _855s(ws) -> dict[str, list[list[str]]]:
    """Each 855 delivered to ACME, by BAK03, as segments of elements (each file read with its own delimiters,
    and passing our reader's envelope checks)."""
    out = {}
    for path in sorted((ws.drop_root / "acme" / "outbox").glob("*.x12")):
        result = read_back(path.read_bytes())
        rows = result.segments.elements.to_pylist()
        for _i, _g, ts in result.transaction_sets():
            if ts.set_id == "855":
                segs = rows[ts.start:ts.end + 1]
                out[segs[1][3]] = segs
    return out


def test_a_run_writes_the_855_the_partners_guide_asks_for(tmp_path):
    """ACME's profile turns every option on: each 855 carries REF IA, the PO's REF DP, DTM 068 (the PO's
    requested ship date, which the lines are acknowledged for), N1 ST as sent (a '^' in a 004010 name is text) and
    only the UP pairs."""
    from tests.support import make_workspace, run_night, x12_850

    ws = make_workspace(tmp_path / "ws", partners=())
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text() + '\n[acks.po_ack]\nvendor_number = "V 0042"\norder_refs = ["DP"]\n'
                    'ship_date = true\nship_to = true\nproduct_qualifiers = ["UP"]\n')
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    for k, (po, dept, name) in enumerate((("PO-1", "042", "DC 7"), ("PO-2", "043", "DC^8")), start=1):
        body = [s.format(po=po, dept=dept, name=name) for s in PO]
        (inbox / f"po{k}.x12").write_bytes(x12_850(body, isa13=k, gs06=str(k)))
    run_night(ws, NOW)
    acks = _855s(ws)
    assert sorted(acks) == ["PO-1", "PO-2"]
    for po, dept, name in (("PO-1", "042", "DC 7"), ("PO-2", "043", "DC^8")):
        segs = acks[po]
        assert [s[0] for s in segs] == ["ST", "BAK", "REF", "REF", "DTM", "N1", "PO1", "ACK", "PO1", "ACK", "CTT",
                                        "SE"], segs
        assert segs[2:6] == [["REF", "IA", "V 0042"], ["REF", "DP", dept], ["DTM", "068", "20261210"],
                             ["N1", "ST", name, "92", "DC07"]]
        assert segs[1][2] == "AD" and [s[1] for s in segs if s[0] == "ACK"] == ["IA", "IA"]  # accepted as sent
        assert segs[6][6:] == ["UP", "614141100101"] and segs[8][6:] == []
        assert segs[-1][1] == str(len(segs))  # SE01 counts the heading segments


def test_an_855_written_after_a_person_approves_a_held_order_carries_the_same_heading(tmp_path):
    """The demo's ACME-1010 waits for a person on night 1 (no 855 then); approved, night 2 answers it through the
    approval path, which writes the heading the profile asks for as the nightly path does (ACME-1001, night 1)."""
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.support import make_workspace, run_stages

    ws = make_workspace(tmp_path / "ws")
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text() + '\n[acks.po_ack]\nvendor_number = "V 0042"\nproduct_qualifiers = ["VN"]\n')
    run_stages(ws, NOW)
    night1 = _855s(ws)
    assert "ACME-1010" not in night1 and "ACME-1001" in night1
    res = CliRunner().invoke(app, ["approve", "ACME-1010", "--partner", "acme", "--by", "Dana Ops",
                                   "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 28, 2))
    approved = _855s(ws)["ACME-1010"]
    for segs in (night1["ACME-1001"], approved):
        assert segs[2] == ["REF", "IA", "V 0042"], segs
        po1s = [s for s in segs if s[0] == "PO1"]
        assert all(set(s[6::2]) <= {"VN"} for s in po1s) and any(s[6::2] == ["VN"] for s in po1s), po1s
