"""Building products and trade distribution, and fine jewelry, as their guides and programmes describe them:
tests/fixtures/rg19/ holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's
confirmation of what shipped. Lowe's (its own direct 004010 850s, ISA qualifier 08, REF*DP and IA, an RDC's PO with
a bill-to and a store's PO; its 856 with the pallet level); Ferguson (a release, BEG04, against a contractor's job:
REF*JB, shipped to the jobsite marked for the contractor, N1*Z7, copper fittings priced per hundred, PO105 HP, and
a jobsite note in N9/MSG); Hajoca (will-call, TD504 H, for a job); Graybar (a project, REF*PJ, and its job, wire cut
to length in FT priced per thousand feet, PO105 TP, each line its own required date, a cut list in the line's MSG);
WESCO / Anixter (005010, cable on reels, RL, connectors per hundred, the job); Signet (a memo order, BEG02 CN, and a
stock order of high-value lines by style number, IT). One night takes them all: inspect, the 997s and 855s, then
the 856s and 810s. Signet's memo order ships on memo (its profile's [fulfilment.invoice] memo_order_types = ["CN"]):
its 856 goes and no 810 (Signet pays for a memo piece once it sells it); it used to be invoiced on shipment. The
trade distributors' job and project numbers are quoted back on the 855, 856 and 810 (profile order_refs JB, PJ), as
their branches bill the contractor's job by them."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg19"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"lowes": {"52417730": 2, "52417748": 1}, "ferguson": {"FG4471122": 2}, "hajoca": {"HJ88120": 2},
       "graybar": {"4500812234": 2}, "wesco": {"4700193301": 2}, "signet": {"88004417": 2, "88004425": 1}}
# Ferguson's jobsite note and Graybar's cut list: no document of ours carries them
NOTED = {"NOTES_NOT_KEPT"}
# prices per hundred / thousand restated per unit, exactly; the confirmations arrive hours after the trucks left
NIGHT_NOTED = NOTED | {"PRICE_BASIS_CONVERTED", "ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_building_trade_and_jewelry_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg19") / "ws"
    return shipped_night(of_its_own(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    # Signet's memo order (BEG02 CN) ends shipped on memo: no 810 by agreement (it ended "invoiced")
    night_all_invoiced(night, POS, NIGHT_NOTED, memo={("signet", "88004417")})
    ws = night[0]
    # Lowe's ISA qualifier 08 answered to it as sent; WESCO's 005010 group answered in 005010
    assert segments(ws, "lowes", "997")[0][7:9] == ["08", "6112390050     "]
    acks = segments(ws, "wesco", "997")
    assert acks[0][11:13] == ["^", "00501"] and ["AK1", "PO", "9044", "005010"] in acks


def test_job_and_project_numbers_are_quoted_back_on_the_855_856_and_810(night):
    """A trade distributor buys for a contractor's job: its branch bills the job by the REF*JB job number (and REF*PJ
    project number) the PO sent, which its 855, 856 and 810 must quote. order_refs could name DP, PD, MR, CO, CT, AH
    and TN only: such a profile was refused, and the job number reached no document."""
    ws, _found, _states = night
    for partner, po, job in (("ferguson", "FG4471122", "J2611-0457"), ("hajoca", "HJ88120", "4471-SCHOOL"),
                             ("wesco", "4700193301", "WD-88231")):
        ack = po_segments(segments(ws, partner, "855"), po, "BAK")
        assert ack[2] == ["REF", "JB", job], partner
        assert ["REF", "JB", job] in po_segments(segments(ws, partner, "810"), po, "BIG"), partner
        assert ["REF", "JB", job] in segments(ws, partner, "856"), partner
    # Graybar's project and job, in ORDER_REFS' order after REF*IA, on each document
    ack = po_segments(segments(ws, "graybar", "855"), "4500812234", "BAK")
    assert ack[1:4] == [["REF", "IA", "GBV7741"], ["REF", "JB", "55120-04"], ["REF", "PJ", "P-55120"]]
    asn = po_segments(segments(ws, "graybar", "856"), "GB-SHP-01", "BSN")
    at = asn.index(["PRF", "4500812234", "", "", "20261124"])
    assert asn[at + 1: at + 5] == [["REF", "IA", "GBV7741"], ["REF", "JB", "55120-04"], ["REF", "PJ", "P-55120"],
                                   ["N1", "Z7", "ATLANTIC ELECTRIC LLC", "92", "AE1021"]]
    inv = po_segments(segments(ws, "graybar", "810"), "4500812234", "BIG")
    assert inv[3:6] == [["REF", "IA", "GBV7741"], ["REF", "JB", "55120-04"], ["REF", "PJ", "P-55120"]]


def test_job_and_project_numbers_are_read_from_the_heading_and_a_profile_may_name_them():
    import tomllib

    from pydantic import ValidationError

    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from schemas.profile import PartnerProfile

    path = FIXTURES / "drops" / "graybar" / "graybar-850-4500812234.x12"
    result = read_interchanges(path.read_bytes(), file=path.name)
    orders = read_orders(result, list(result.transaction_sets()), partner="graybar")[0].to_pylist()
    assert [(o["job_number"], o["project_number"]) for o in orders] == [("55120-04", "P-55120")]
    data = tomllib.loads((FIXTURES / "partners" / "graybar.toml").read_text(encoding="utf-8"))
    data["acks"]["po_ack"]["order_refs"] = ["PJ"]
    assert PartnerProfile.model_validate(data).acks.po_ack.order_refs == ("PJ",)
    data["acks"]["po_ack"]["order_refs"] = ["JN"]  # any REF01 (refs_sent's); not what no REF01 can be
    assert PartnerProfile.model_validate(data).acks.po_ack.order_refs == ("JN",)
    data["acks"]["po_ack"]["order_refs"] = ["jn"]
    with pytest.raises(ValidationError):
        PartnerProfile.model_validate(data)


def test_release_jobsite_will_call_and_cut_lengths(night):
    ws, _found, _states = night
    # Ferguson: its release number back in BAK05, PRF02 and BIG05; the jobsite ship-to and the contractor mark-for;
    # fittings per hundred (145.00 HP) acknowledged and invoiced per each, 1.45 PE: 500 x 1.45 + 20 x 212.80
    ack = po_segments(segments(ws, "ferguson", "855"), "FG4471122", "BAK")
    assert ack[0][1:6] == ["00", "AD", "FG4471122", "20261124", "003"]
    assert [s[1:6] for s in ack if s[0] == "PO1"] == [["1", "500", "EA", "1.45", "PE"],
                                                      ["2", "20", "EA", "212.8", "PE"]]
    asn = po_segments(segments(ws, "ferguson", "856"), "FG-SHP-01", "BSN")
    assert ["PRF", "FG4471122", "003", "", "20261124"] in asn
    assert ["N1", "ST", "RIVERSIDE MOB JOBSITE", "92", "J2611-0457"] in asn
    assert ["N1", "Z7", "CAPITOL MECHANICAL CONTRACTORS", "92", "C88120"] in asn
    inv = po_segments(segments(ws, "ferguson", "810"), "FG4471122", "BIG")
    assert inv[0][3:6] == ["20261124", "FG4471122", "003"] and ["TDS", "498100"] in inv
    # Hajoca's will-call: answered and invoiced to the counter, marked for the contractor
    inv = po_segments(segments(ws, "hajoca", "810"), "HJ88120", "BIG")
    assert ["N1", "Z7", "DELVAL HVAC SERVICES", "92", "DV2290"] in inv and ["TDS", "243940"] in inv
    # its 856 (no carrier confirmed) says the customer picked up, as the PO's TD5*O***H routed it
    asn = po_segments(segments(ws, "hajoca", "856"), "HJ-SHP-01", "BSN")
    assert [s for s in asn if s[0] == "TD5"] == [["TD5", "B", "", "", "H"]]
    # Graybar: 2,500 FT of wire at 285.50 per thousand feet is 0.2855 per FT; shipped as five 500 FT reels, each its
    # own SSCC; invoiced 2500 x 0.2855 + 300 x 0.842 = 966.35
    ack = po_segments(segments(ws, "graybar", "855"), "4500812234", "BAK")
    assert [s[1:6] for s in ack if s[0] == "PO1"] == [["1", "2500", "FT", "0.2855", "PE"],
                                                      ["2", "300", "EA", "0.842", "PE"]]
    asn = po_segments(segments(ws, "graybar", "856"), "GB-SHP-01", "BSN")
    assert [s for s in asn if s[0] == "SN1"][:5] == [["SN1", "", "500", "FT", "", "2500", "FT"]] * 5
    assert sum(s[0] == "MAN" for s in asn) == 6
    inv = po_segments(segments(ws, "graybar", "810"), "4500812234", "BIG")
    assert [s[1:6] for s in inv if s[0] == "IT1"] == [["1", "2500", "FT", "0.2855", "PE"],
                                                      ["2", "300", "EA", "0.842", "PE"]]
    assert ["TDS", "96635"] in inv
    # WESCO: reels invoiced per reel, 4 x 142.75 + 1000 x 0.842
    inv = po_segments(segments(ws, "wesco", "810"), "4700193301", "BIG")
    assert [s[1:4] for s in inv if s[0] == "IT1"] == [["1", "4", "RL"], ["2", "1000", "EA"]]
    assert ["TDS", "141300"] in inv


def test_lowes_and_signet_documents(night):
    ws, _found, _states = night
    # Lowe's RDC PO: acknowledged for its requested ship date, the pallet level on the 856, the bill-to on the 810
    ack = po_segments(segments(ws, "lowes", "855"), "52417730", "BAK")
    assert ack[1:4] == [["REF", "IA", "LV114477"], ["REF", "DP", "026"], ["DTM", "068", "20261201"]]
    asn = po_segments(segments(ws, "lowes", "856"), "LW-SHP-01", "BSN")
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "T", "P", "I", "P", "I", "P", "I"]
    assert ["TD1", "PLT94", "1"] in asn and ["REF", "BM", "BOL-LW-417730"] in asn
    inv = po_segments(segments(ws, "lowes", "810"), "52417730", "BIG")
    assert ["N1", "BT", "LOWES HOME CENTERS LLC", "92", "0001"] in inv and ["ITD", "05", "3", "2", "", "30", "", "60"] \
        in inv and ["TDS", "246600"] in inv  # 48 x 38.40 + 12 x 51.90
    store = po_segments(segments(ws, "lowes", "856"), "LW-SHP-02", "BSN")
    assert ["N1", "ST", "LOWES OF PARSIPPANY", "92", "1842"] in store and ["REF", "CN", "612999000401101"] in store
    # the ship-to in the order loop, as Lowe's guide lists it (ship_to_level "order"); the ship-from stays at S
    for shipment in (asn, store):
        o = next(k for k, s in enumerate(shipment) if s[:4] == ["HL", "2", "1", "O"])
        assert [s[:2] for s in shipment[:o] if s[0] == "N1"] == [["N1", "SF"]]
        assert [s[:2] for s in shipment[o:] if s[0] == "N1"] == [["N1", "ST"]]
        assert shipment[o + 1][0] == "PRF" and shipment.index(next(s for s in shipment if s[:2] == ["N1", "ST"])) \
            < next(k for k, s in enumerate(shipment) if s[0] == "HL" and s[3] != "O" and k > o)
    # Signet: each style number (IT) back on the 856 and 810 beside the UPC; the ring lines at their full value
    asn = po_segments(segments(ws, "signet", "856"), "SJ-SHP-01", "BSN")
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "UP", "614141600014", "VN", "JW-5001", "IT", "ST-88120-14W"],
                                                    ["2", "UP", "614141600021", "VN", "JW-5002", "IT", "ST-88177-PLT"]]
    # the memo order (BEG02 CN) ships on memo: its 856 above, no 810 (Signet pays for a memo piece when it sells it;
    # an 810 for its 4 x 1450.00 + 2 x 3875.50 used to go, rejected by Signet and booked as revenue not earned); the
    # stock order (SA) is invoiced as shipped, its style number beside the UPC
    invoices = segments(ws, "signet", "810")
    assert [s[4] for s in invoices if s[0] == "BIG"] == ["88004425"]
    inv = po_segments(invoices, "88004425", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "12", "EA", "189"]]
    assert ["IT1", "1", "12", "EA", "189", "", "VN", "JW-5003", "IT", "ST-90110-SS", "UP", "614141600038"] in inv
    assert ["TDS", "226800"] in inv  # 12 x 189.00


def test_every_855_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    ws, _found, _states = night
    # one 856 per PO, one 810 per PO but Signet's memo order
    all_sent_accepted(ws, POS, tmp_path, maps, shipments=8, answers=8, invoices=7)


def test_wire_priced_per_thousand_feet_is_read_per_foot():
    """Wire and cable cut to length are priced per thousand feet: PO105 TF (per 1,000 feet) on a line in FT is the price
    of 1,000 of its units, as TP is, and is restated per foot where exact. It was held for a person as a price 'per
    foot of a line in another unit' (PRICE_BASIS_UNSUPPORTED), and its order value taken per foot: 2,500 FT at 285.50
    was a $713,750 order over Graybar's credit limit, and approved it would be invoiced so. On a line in another unit
    TF is left as sent (held by the price rules), as is a price per thousand feet not exact per foot at 4 decimals."""
    from decimal import Decimal

    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from rules.business.money import _price_converted_findings

    path = FIXTURES / "drops" / "graybar" / "graybar-850-4500812234.x12"

    def lines(data: bytes):
        result = read_interchanges(data, file=path.name)
        return read_orders(result, list(result.transaction_sets()), partner="graybar")[1]

    data = path.read_bytes()
    per_m = data.replace(b"PO1*1*2500*FT*285.5*TP*", b"PO1*1*2500*FT*285.5*TF*")
    assert per_m != data
    table = lines(per_m)
    assert [(r["unit_price"], r["price_basis"], r["price_basis_sent"]) for r in table.select(
        ["unit_price", "price_basis", "price_basis_sent"]).to_pylist()] == [
        (Decimal("0.2855"), "PE", "TF"), (Decimal("0.842"), "PE", "HP")]
    told = [f.message for f in _price_converted_findings(table)]
    assert "PO104 285.5 with PO105 TF is the price of 1,000 FT: taken as 0.2855 per FT" in told[0]
    # per hundred feet the same way; a line in reels, or a price not exact per foot, is left as sent
    assert lines(per_m.replace(b"2500*FT*285.5*TF", b"2500*FT*28.55*HF"))["unit_price"][0].as_py() == Decimal("0.2855")
    for other in (b"5*RL*285.5*TF", b"2500*FT*412.37*TF"):
        row = lines(per_m.replace(b"2500*FT*285.5*TF", other)).slice(0, 1).to_pylist()[0]
        assert (row["price_basis"], row["price_basis_sent"]) == ("TF", None)
        assert row["unit_price"] in (Decimal("285.5"), Decimal("412.37"))
