"""One company under two profiles: Meijer (tests/fixtures/rg90, profile A `meijer`, its old VAN ZZ/MEIJERVAN on
004010) changes EDI provider and is set up as a new profile B (`meijer2`, 08/6111470000 GS02 MEIJERINC on 005010,
'|' separators) whose [continues] names A from 2026-11-26. A's order MJ9000101, received before, is changed by
B's 860 on that night: applied to A's order (the file and its 997 stay B's), its revised 855 sent under B's
envelope to B's mailbox; its 856 and 810 on the ship day likewise, numbered in B's sequence. A B 860 for a PO
neither holds stays B's (CHANGE_AWAITING_ORDER). A's profile broken does not fail B's intake: the change waits as
A's and is answered once A's profile loads. Each night a real flows.night run."""

from __future__ import annotations

import csv
import shutil
import tomllib
from datetime import date, datetime, timedelta

import pytest

from schemas.profile import PartnerProfile
from tests.retailer_support import findings_and_states, of_its_own
from tests.support import REPO
from tests.test_switch_ids_early_and_twice import _renamed

FIXTURES = REPO / "tests" / "fixtures" / "rg90"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
BEFORE, SWITCH, SHIP_DAY = datetime(2026, 11, 24, 2), datetime(2026, 11, 26, 2), datetime(2026, 12, 1, 15)
ACKED = datetime(2026, 11, 27, 2)
B_860 = FIXTURES / "changes" / "meijer" / "MEIJER_860_MJ9000101.x12"
A_850 = FIXTURES / "drops" / "meijer" / "MEIJER_850_MJ9000102.x12"
B_PROFILE = """# Meijer through its new VAN: the same company as meijer.toml, whose open orders it carries on
id = "meijer2"
name = "Meijer (new VAN)"
receives = ["997", "855", "856", "810"]
accepts = ["850", "860", "997"]
change_ack = "855"

[continues]
partner = "meijer"
effective = 2026-11-26
note = "Meijer's letter of 2026-11-02: new VAN, open POs carry on"

[x12]
their_qualifier = "08"
their_id = "6111470000"
our_qualifier = "ZZ"
our_id = "ORDERBRIDGE"
their_gs_id = "MEIJERINC"
our_gs_id = "ORDERBRIDGE"
version = "005010"

[x12.delimiters]
element = "|"
component = "\\\\"

[acks]
send_997 = true
ta1 = "never"

[fulfilment.sscc]
company_prefix = "0614141"
extension_digit = 0

[fulfilment.invoice]
per = "order"

[finance]
ack_997_hours = 72  # meijer's (A's) is the default 24: A's documents are judged by A's

[drop]
kind = "local"
"""
# (ISA07, ISA08 the document goes to, GS03, GS08[:6], element separator)
A_IDS = ("ZZ", "MEIJERVAN", "MEIJER", "004010", "*")
B_IDS = ("08", "6111470000", "MEIJERINC", "005010", "|")


def _sent(ws, partner: str, names=None) -> dict[tuple[str, str], tuple]:
    """Each document in ``partner``'s outbox (of ``names``, else all) by (its type, what it answers: the AK1's GS06,
    the BAK03, the 856's PRF01, the BIG04): (ISA07, ISA08, GS03, GS08[:6], separator, ISA13)."""
    out = {}
    for path in sorted((ws.drop_root / partner / "outbox").glob("*.x12")):
        if names is not None and path.name not in names:
            continue
        text = path.read_text()
        segs = [s.split(text[3]) for s in text.replace("\n", "").split("~") if s]
        isa, gs = segs[0], next(s for s in segs if s[0] == "GS")
        kind = {"FA": "997", "PR": "855", "SH": "856", "IN": "810", "CA": "865"}[gs[1]]
        for head in (s for s in segs if s[0] in ("BAK", "AK1", "PRF", "BIG", "BCA")):
            out[(kind, head[{"BAK": 3, "AK1": 2, "PRF": 1, "BIG": 4, "BCA": 3}[head[0]]])] = (
                isa[7], isa[8].strip(), gs[3], gs[8][:6], text[3], isa[13])
    return out


def _workspace(root):
    ws = of_its_own(FIXTURES, root, {"meijer": ["MEIJER_850_MJ9000101.x12"]}, warehouses=WAREHOUSES)
    (ws.partners_dir / "meijer2.toml").write_text(B_PROFILE)
    (ws.drop_root / "meijer2" / "inbox").mkdir(parents=True, exist_ok=True)
    return ws


def _night(ws, now):
    from flows import night

    return night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=now.isoformat())


def _unknown_860() -> str:
    """B's 860 for a PO neither profile holds (MJ9999999), under other control numbers."""
    return B_860.read_text().replace("MJ9000101", "MJ9999999").replace("000005001", "000005009").replace(
        "|5001|", "|5009|").replace("GE|1|5001", "GE|1|5009")


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """11-24: A's 850 of MJ9000101; 11-26 (B's effective date): B's 860 changing it (36 of line 1) and B's 860 for
    MJ9999999; 12-01: the east DC ships MJ9000101."""
    ws = _workspace(tmp_path_factory.mktemp("continues") / "ws")
    _night(ws, BEFORE)
    first = {p.name for p in (ws.drop_root / "meijer" / "outbox").glob("*.x12")}
    shutil.copy2(B_860, ws.drop_root / "meijer2" / "inbox")
    (ws.drop_root / "meijer2" / "inbox" / "MEIJER_860_MJ9999999.x12").write_text(_unknown_860())
    _night(ws, SWITCH)
    switched = {p.name for p in (ws.drop_root / "meijer2" / "outbox").glob("*.x12")}
    (ws.drop_root / "meijer2" / "inbox" / "MEIJER_997_5101.x12").write_text(_their_997(ws, switched))
    (ws.drop_root / "meijer" / "inbox" / "MEIJER_850_MJ9000104.x12").write_text(_renamed(A_850, "MJ9000104", 419,
                                                                                          "419"))
    _night(ws, ACKED)
    _ship(ws)
    return ws, first, switched


def _their_997(ws, names) -> str:
    """B's 997 accepting the revised 855 of MJ9000101 it received (A's document, sent under B's envelope)."""
    [name] = [n for n in names if (ws.drop_root / "meijer2" / "outbox" / n).read_text().count("BAK|")]
    text = (ws.drop_root / "meijer2" / "outbox" / name).read_text()
    segs = [x.split("|") for x in text.replace("\n", "").split("~") if x]
    gs06, st02 = next(x[6] for x in segs if x[0] == "GS"), next(x[2] for x in segs if x[0] == "ST")
    isa = ("ISA*00*          *00*          *08*6111470000     *ZZ*ORDERBRIDGE    *261126*2300*^*00501*000005101*0*P*:")
    return "~".join([isa, "GS*FA*MEIJERINC*ORDERBRIDGE*20261126*2300*5101*X*005010", "ST*997*0001",
                     f"AK1*PR*{gs06}*005010", f"AK2*855*{st02}", "AK5*A", "AK9*A*1*1*1", "SE*6*0001", "GE*1*5101",
                     "IEA*1*000005101", ""])


def _ship(ws):
    from flows import night

    east = ws.warehouse_drop_root / "east" / "inbox"
    east.mkdir(parents=True, exist_ok=True)
    for f in (FIXTURES / "shipments").iterdir():  # MJ9000101's cartons alone, each on a pallet of its own
        rows = list(csv.reader(f.read_text().splitlines()))
        at, po = rows[0].index("Pallet ID"), rows[0].index("PO Number")
        kept = [rows[0]] + [[*row[:at], f"{row[0]}-PAL", *row[at + 1:]] for row in rows[1:] if row[po] == "MJ9000101"]
        with (east / f.name).open("w", newline="") as out:
            csv.writer(out).writerows(kept)
    night.run_shipments(str(ws.root), stages=night.InProcess(delays=[]), now=SHIP_DAY.isoformat())


def test_the_continuing_profile_answers_the_first_ones_orders_from_its_date():
    a = PartnerProfile.model_validate(tomllib.loads((FIXTURES / "partners" / "meijer.toml").read_text()))
    b = PartnerProfile.model_validate(tomllib.loads(B_PROFILE))
    assert b.continuing(date(2026, 11, 25)) is None and b.continuing(date(2026, 11, 26)) == "meijer"
    c = a.continued(b)
    assert c.continued_by == "meijer2" and a.continued_by is None and c.id == "meijer"
    x = c.x12
    assert (x.their_qualifier, x.their_id, x.their_gs_id, x.version) == ("08", "6111470000", "MEIJERINC", "005010")
    # A's own ids are still A's (a straggler from A's VAN is A's, its 997 echoing it)
    assert x.previous_ids == (("ZZ", "MEIJERVAN"),) and x.previous_gs_ids == ("MEIJER",)
    assert x.sends_from("ZZ", "MEIJERVAN")
    with pytest.raises(Exception, match="this profile's own id"):
        PartnerProfile.model_validate(tomllib.loads(B_PROFILE.replace('partner = "meijer"', 'partner = "meijer2"')))


def test_before_the_date_the_first_profile_answers_as_its_own(nights):
    ws, first, _switched = nights
    sent = _sent(ws, "meijer", first)
    assert sent[("855", "MJ9000101")][:5] == A_IDS


def test_the_continuing_profiles_860_changes_the_first_ones_order(nights):
    """B's 860 changes A's order: the order (meijer, MJ9000101) now orders 36 of line 1, its revised 855 goes under
    B's envelope to B's mailbox; the 860 file and its 997 are B's; B's 860 for a PO neither holds waits as B's."""
    from connectors.state import StateStore

    ws, _first, switched = nights
    found, states = findings_and_states(ws, lambda f: (f["partner"], f["code"], f["po_number"], f["message"]))
    assert ("meijer2", "MJ9000101") not in states and ("meijer", "MJ9000101") in states
    sent = _sent(ws, "meijer2", switched)
    assert sent[("855", "MJ9000101")][:5] == B_IDS
    assert sent[("997", "5001")][:5] == B_IDS and sent[("997", "5009")][:5] == B_IDS
    assert not [n for n in (ws.drop_root / "meijer" / "outbox").glob("*.x12") if n.name in switched]
    [(partner, _c, po, said)] = [f for f in found if f[1] == "CHANGE_AWAITING_ORDER"]
    assert (partner, po) == ("meijer2", "MJ9999999")
    assert said.startswith("We hold no order of PO MJ9999999 yet (nor does meijer, whose orders this partner carries "
                           "on): the 860 waits for its 850"), said
    assert "CHANGE_ORDER_UNKNOWN" not in {f[1] for f in found}
    state = StateStore(ws.state_path)
    try:
        [line] = [ln for ln in state.lines_for({("meijer", "MJ9000101")})[("meijer", "MJ9000101")]
                  if ln.line_number == 1]
        changes = {(c.partner, c.po_number): c.status for c in state.pending_changes(statuses=None)}
        history = [e["note"] for e in state.order_history("meijer", "MJ9000101")]
        files = {(r["partner"], r["name"]) for r in state.files()}
    finally:
        state.close()
    assert line.ordered == 36  # was 24 (A's 850)
    assert changes[("meijer", "MJ9000101")] in ("answered", "applied") and ("meijer2", "MJ9999999") in changes
    assert any("from meijer2, continuing meijer's orders" in n for n in history), history
    assert ("meijer2", B_860.name) in files and ("meijer", B_860.name) not in files


def test_the_ship_day_sends_the_first_ones_856_and_810_under_the_continuing_envelope(nights):
    ws, _first, switched = nights
    sent = _sent(ws, "meijer2")
    assert sent[("856", "MJ9000101")][:5] == B_IDS and sent[("810", "MJ9000101")][:5] == B_IDS
    isa13 = [v[5] for v in sent.values()]  # A's documents numbered in B's sequence: no ISA13 twice to B's ids
    assert len(set(isa13)) == len(_files(ws, "meijer2"))
    assert not [k for k in _sent(ws, "meijer") if k[0] in ("856", "810")]


def _files(ws, partner):
    return list((ws.drop_root / partner / "outbox").glob("*.x12"))


def test_a_broken_first_profile_does_not_fail_the_continuing_ones_intake(tmp_path):
    """A's profile broken on the switch night: B's intake takes its 860 (its 997 sent, the change kept as A's);
    A's stages fail alone. Once A's profile is fixed, the next night answers the change under B's envelope."""
    ws = _workspace(tmp_path / "ws")
    _night(ws, BEFORE)
    good = (ws.partners_dir / "meijer.toml").read_text()
    (ws.partners_dir / "meijer.toml").write_text(good.replace('usage = "P"', 'usage = "X"'))
    shutil.copy2(B_860, ws.drop_root / "meijer2" / "inbox")
    _night(ws, SWITCH)
    sent = _sent(ws, "meijer2")
    assert sent[("997", "5001")][:5] == B_IDS and ("855", "MJ9000101") not in sent
    found, _states = findings_and_states(ws, lambda f: (f["partner"], f["code"]))
    assert ("meijer", "PROFILE_NOT_LOADED") in found
    (ws.partners_dir / "meijer.toml").write_text(good)
    _night(ws, datetime(2026, 11, 27, 2))
    assert _sent(ws, "meijer2")[("855", "MJ9000101")][:5] == B_IDS


def _check(ws, partner: str) -> str:
    from typer.testing import CliRunner

    from flows.cli import app

    out = CliRunner().invoke(app, ["partner", "check", partner, "--workspace", str(ws.root), "--on", "2026-11-20"])
    return " ".join(out.output.split())


def test_partner_check_says_who_continues_whom_and_refuses_what_cannot_be(tmp_path):
    ws = _workspace(tmp_path / "ws")
    said = _check(ws, "meijer2")
    assert "continues: continues meijer from 2026-11-26 (Meijer's letter of 2026-11-02: new VAN, open POs carry on)" \
        ": 860s naming a PO meijer holds (and this partner does not) change meijer's order" in said, said
    assert "[continues]" not in said.split("continues: ", 1)[0]  # no problem with it
    assert "continues: continued by meijer2 from 2026-11-26: from then this partner's orders are answered under " \
        "meijer2's envelope and delivered to meijer2's drop" in _check(ws, "meijer")
    b = ws.partners_dir / "meijer2.toml"
    b.write_text(B_PROFILE.replace('partner = "meijer"', 'partner = "meijr"'))
    assert "missing: [continues] partner 'meijr': there is no such profile (partners/meijr.toml)" in _check(
        ws, "meijer2")
    b.write_text(B_PROFILE)  # a cycle: meijer continues meijer2, which continues meijer
    a = ws.partners_dir / "meijer.toml"
    first = a.read_text()
    a.write_text(first + '\n[continues]\npartner = "meijer2"\neffective = 2026-11-01\n')
    assert "missing: [continues]: meijer2 -> meijer -> meijer2 is a cycle" in _check(ws, "meijer2")
    a.write_text(first)
    (ws.partners_dir / "meijer3.toml").write_text(B_PROFILE.replace('id = "meijer2"', 'id = "meijer3"').replace(
        '"6111470000"', '"6111470003"'))
    assert "missing: [continues] partner 'meijer': meijer3 continue(s) it too" in _check(ws, "meijer2")
    (ws.partners_dir / "meijer3.toml").unlink()
    b.write_text(B_PROFILE.replace('their_qualifier = "08"\ntheir_id = "6111470000"',
                                   'their_qualifier = "ZZ"\ntheir_id = "MEIJERVAN"'))
    assert "missing: [continues] partner 'meijer': both profiles claim ISA05/06 ZZ/MEIJERVAN: a file from them " \
        "could not be told apart" in _check(ws, "meijer2")


def test_the_mailbox_routes_the_continuing_ids_to_the_continuing_profile(tmp_path):
    """From the date A's profile answers under B's ids (their_id), yet a file from them is B's: the mailbox routes
    it to B, not "cannot be told"."""
    from engine.mailbox import owners
    from parsers.x12_mailbox import Piece

    ws = _workspace(tmp_path / "ws")
    profiles = ws.on(SWITCH).runnable_partners()
    assert profiles["meijer"].continued_by == "meijer2" and profiles["meijer"].x12.sends_from("08", "6111470000")
    piece = Piece(1, 0, 10, "08", "6111470000", "ZZ", "ORDERBRIDGE", "000005001", True)
    assert owners(piece, profiles) == ["meijer2"]
    assert owners(Piece(1, 0, 10, "ZZ", "MEIJERVAN", "ZZ", "ORDERBRIDGE", "1", True), profiles) == ["meijer"]
    assert ws.on(BEFORE).runnable_partners()["meijer"].continued_by is None


def test_status_and_the_console_find_the_po_under_either_partner(nights):
    """`status MJ9000101 --partner meijer2` finds meijer's order (B carries it on) and says so; so does
    `status MJ9000101` and the console's order page; --json has the order's continued_by."""
    import json
    from urllib.parse import urlencode

    from tests.support_console import Client, ConsoleServer, add_users
    from tests.test_blankets3 import _cli

    ws, _first, _switched = nights
    said = "received from meijer, continued by meijer2"  # since / from 2026-11-26 (by today's date: no run clock)
    for partner in (["--partner", "meijer2"], ["--partner", "meijer"], []):
        code, text = _cli(ws, "status", "MJ9000101", *partner)
        assert code == 0 and "meijer / MJ9000101" in text and said in text and "2026-11-26 (its 860s" in text, text
    code, out = _cli(ws, "status", "MJ9000101", "--partner", "meijer2", "--json")
    order = json.loads(out)["order"]
    assert (order["partner"], order["continued_by"]["partner"], order["continued_by"]["effective"]) == (
        "meijer", "meijer2", "2026-11-26")
    code, text = _cli(ws, "status", "MJ9999999", "--partner", "meijer2")  # neither holds it: no order, as before
    assert code != 0 and "no order MJ9999999 for partner meijer2" in " ".join(text.split()), text
    add_users(ws.root)
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-12-01T09:30:00") as server:
        c = Client(server.url)
        c.sign_in("vic")
        body = c.get("/order?" + urlencode({"partner": "meijer", "po": "MJ9000101"}))[1]
    assert 'id="continued-by"' in body and said in body, body


def test_the_continuing_profiles_997_answers_the_first_ones_documents(nights):
    """B's 997 accepting the revised 855 (A's document, sent under B's envelope): recorded as the answer to A's
    document (its verdict on A's order), not FA_UNMATCHED; the 997 file is B's."""
    import json

    from connectors.state import StateStore
    from tests.test_blankets3 import _cli

    ws, _first, _switched = nights
    found, _states = findings_and_states(ws, lambda f: (f["partner"], f["code"], f["file"]))
    assert not [f for f in found if f[1].startswith("FA_")], found
    code, out = _cli(ws, "status", "MJ9000101", "--json")
    [revised] = [d for d in json.loads(out)["documents"] if d["type"] == "855" and d["file_name"].startswith(
        "meijer2-")]
    assert revised["partner_ack"] is not None and "997" in revised["partner_ack"], revised
    state = StateStore(ws.state_path)
    try:
        assert ("meijer2", "MEIJER_997_5101.x12") in {(r["partner"], r["name"]) for r in state.files()}
        [status] = [d for d in state.document_status("meijer") if d["file"] == revised["file_name"]]
    finally:
        state.close()
    # judged by A's settings (its 997 due 24 hours after it was sent), not B's (72), which differ
    assert status["status"] == "accepted" and datetime.fromisoformat(status["due_at"]) - datetime.fromisoformat(
        status["sent_at"]) == timedelta(hours=24), status


def test_a_straggler_from_the_first_ones_ids_is_still_its_own(nights):
    """After the date A's old VAN delivers one more 850 (MJ9000104, ZZ/MEIJERVAN) to A's drop: A's order, not a
    sender mismatch; its 997 echoes the envelope it came in (A's ids, 004010), its 855 goes under B's envelope;
    both to B's drop with A's other documents (a VAN routes the 997 by its ISA08)."""
    ws, _first, _switched = nights
    found, states = findings_and_states(ws, lambda f: (f["partner"], f["code"]))
    assert states[("meijer", "MJ9000104")] == "acknowledged" and ("meijer2", "MJ9000104") not in states
    assert "PARTNER_SENDER_MISMATCH" not in {c for _p, c in found}
    sent = _sent(ws, "meijer2")
    assert sent[("997", "419")][:4] == A_IDS[:4] and sent[("855", "MJ9000104")][:5] == B_IDS


def test_an_865_answering_the_continuing_profiles_860_goes_under_its_envelope(tmp_path):
    """A partner answered by the 865 (change_ack "865"): B's 860 of A's order is answered by an 865 under B's
    envelope, in B's drop."""
    ws = _workspace(tmp_path / "ws")
    a = ws.partners_dir / "meijer.toml"
    a.write_text(a.read_text().replace('change_ack = "855"', 'change_ack = "865"').replace(
        'receives = ["997", "855", "856", "810"]', 'receives = ["997", "855", "865", "856", "810"]'))
    _night(ws, BEFORE)
    shutil.copy2(B_860, ws.drop_root / "meijer2" / "inbox")
    _night(ws, SWITCH)
    sent = _sent(ws, "meijer2")
    assert sent[("865", "MJ9000101")][:5] == B_IDS and ("855", "MJ9000101") not in sent
    assert not [k for k in _sent(ws, "meijer") if k[0] == "865"]


def test_the_continuing_profiles_change_for_a_po_neither_holds_is_refused_naming_both(tmp_path):
    """B's 860 for a PO neither profile holds (MJ9999999) waits as B's (CHANGE_AWAITING_ORDER) and, its waiting days
    past (early_change_days 2: 11-26 to 11-28), is refused: CHANGE_ORDER_UNKNOWN says B carries on A's orders and
    neither holds the PO (it used to say "for this partner" alone, as if A's orders had not been looked at)."""
    ws = _workspace(tmp_path / "ws")
    _night(ws, BEFORE)
    (ws.drop_root / "meijer2" / "inbox" / "MEIJER_860_MJ9999999.x12").write_text(_unknown_860())
    _night(ws, SWITCH)
    _night(ws, datetime(2026, 11, 28, 2))
    found, _states = findings_and_states(ws, lambda f: (f["partner"], f["code"], f["po_number"], f["message"]))
    [(partner, _c, po, said)] = [f for f in found if f[1] == "CHANGE_ORDER_UNKNOWN"]
    assert (partner, po) == ("meijer2", "MJ9999999")
    assert said.startswith("No live order 'MJ9999999' for this partner nor for meijer, whose orders this partner "
                           "carries on (neither holds the PO); the change was not applied."), said


def test_resending_the_first_ones_document_goes_under_the_continuing_envelope(tmp_path):
    """`orderbridge resend --partner meijer` of A's revised 855 (sent under B's envelope on 11-26) after the date: the
    kept copy goes to B's drop (it used to go to A's), and with --new-control-numbers it takes the next ISA13 and GS06
    of B's sequence (it used to take A's): B's ids never see one ISA13 twice, not from the next night either."""
    from tests.test_blankets3 import _cli

    ws = _workspace(tmp_path / "ws")
    assert not _night(ws, BEFORE)["failure"]
    shutil.copy2(B_860, ws.drop_root / "meijer2" / "inbox")
    # (the night used to fail at its reconciliation: A's revised 855 took B's first numbers, the same (meijer,
    # ISA13, GS06, ST02) as A's first 855: B's sequence now starts past A's, StateStore.numbers_past)
    assert not _night(ws, SWITCH)["failure"]
    first = _sent(ws, "meijer")[("855", "MJ9000101")]
    [(name, isa13)] = [(p.name, _sent(ws, "meijer2", {p.name})[("855", "MJ9000101")][5]) for p in _files(ws, "meijer2")
                       if ("855", "MJ9000101") in _sent(ws, "meijer2", {p.name})]
    taken = ws.drop_root / "meijer2" / "outbox" / name
    kept = taken.read_bytes()
    taken.unlink()  # the partner's new VAN took it and lost it
    a_files = {p.name for p in _files(ws, "meijer")}
    code, text = _cli(ws, "resend", "--partner", "meijer", "--file", name, "--by", "Ann", "--note", "never arrived",
                      "--now", "2026-11-27T10:00:00")
    assert code == 0, text
    assert taken.read_bytes() == kept and {p.name for p in _files(ws, "meijer")} == a_files
    before = {v[5] for k, v in _sent(ws, "meijer2").items()}
    code, text = _cli(ws, "resend", "--partner", "meijer", "--file", name, "--new-control-numbers", "--by", "Ann",
                      "--note", "their translator dropped it as a duplicate", "--now", "2026-11-27T11:00:00")
    assert code == 0, text
    assert {p.name for p in _files(ws, "meijer")} == a_files
    again = {n: v for n, v in ((p.name, _sent(ws, "meijer2", {p.name})) for p in _files(ws, "meijer2"))
             if ("855", "MJ9000101") in v and n != name}
    [(new_name, new_sent)] = again.items()
    new = new_sent[("855", "MJ9000101")]
    assert new[:5] == B_IDS and new[5] not in before and int(new[5]) == max(int(x) for x in before) + 1, (new, before)
    assert new_name.startswith("meijer2-855-") and int(first[5]) < int(isa13) < int(new[5])
    # the next night's documents to B's ids (a straggler of A's answered under B's envelope) take later numbers
    (ws.drop_root / "meijer" / "inbox" / "MEIJER_850_MJ9000104.x12").write_text(_renamed(A_850, "MJ9000104", 419,
                                                                                          "419"))
    assert not _night(ws, ACKED)["failure"]
    to_b = [v[5] for p in _files(ws, "meijer2") for v in _sent(ws, "meijer2", {p.name}).values() if v[1] == B_IDS[1]]
    assert len(to_b) == len(set(to_b)) and _sent(ws, "meijer2")[("855", "MJ9000104")][5] > new[5]


def test_a_rebuilt_store_routes_the_continuing_profiles_files_as_intake_did(tmp_path):
    """`orderbridge state rebuild` after the switch night: B's 860 for A's order is replayed as A's (the change
    stored and applied to meijer's MJ9000101, line 1 36; B's 860 for a PO neither holds stays B's), and the revised
    855 in B's outbox is A's document answering A's order (B's 997s stay B's), as the nights recorded them. It
    replayed B's 860 as B's (an unknown PO) and recorded A's 855 as B's."""
    from typer.testing import CliRunner

    from connectors.state import StateStore
    from flows.cli import app

    ws = _workspace(tmp_path / "ws")
    _night(ws, BEFORE)
    shutil.copy2(B_860, ws.drop_root / "meijer2" / "inbox")
    (ws.drop_root / "meijer2" / "inbox" / "MEIJER_860_MJ9999999.x12").write_text(_unknown_860())
    _night(ws, SWITCH)

    def seen():
        state = StateStore(ws.state_path)
        try:
            docs = {(d.partner, d.file_name) for p in ("meijer", "meijer2") for d in state.documents(p)}
            changes = {(c.partner, c.po_number) for c in state.pending_changes(statuses=None)}
            [line] = [ln for ln in state.lines_for({("meijer", "MJ9000101")})[("meijer", "MJ9000101")]
                      if ln.line_number == 1]
            orders = {(o.partner, o.po_number) for o in state.orders()}
            return docs, changes, line.ordered, orders
        finally:
            state.close()

    before = seen()
    for p in ws.state_path.parent.glob(ws.state_path.name + "*"):
        p.unlink()
    res = CliRunner().invoke(app, ["state", "rebuild", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    docs, changes, ordered, orders = seen()
    assert ordered == 36 and ("meijer", "MJ9000101") in changes and ("meijer2", "MJ9000101") not in changes
    assert ("meijer2", "MJ9999999") in changes and ("meijer2", "MJ9000101") not in orders
    [revised] = [n for n in _files(ws, "meijer2") if ("855", "MJ9000101") in _sent(ws, "meijer2", {n.name})]
    assert ("meijer", revised.name) in docs and ("meijer2", revised.name) not in docs
    assert docs == before[0] and changes == before[1] and orders == before[3]


def test_the_continuing_profiles_860_before_the_first_ones_850_is_applied_once_it_comes(tmp_path):
    """B's 860 for MJ9000102 arrives on the switch night, before A's 850 of it: it waits as B's
    (CHANGE_AWAITING_ORDER). The next night A's 850 comes (A's VAN): the waiting change is made A's and applied to A's
    order that night (line 1 ordered 36), answered under B's envelope; not refused as B's once its days pass."""
    from connectors.state import StateStore

    ws = _workspace(tmp_path / "ws")
    assert not _night(ws, BEFORE)["failure"]
    early = B_860.read_text().replace("MJ9000101", "MJ9000102")
    (ws.drop_root / "meijer2" / "inbox" / "MEIJER_860_MJ9000102.x12").write_text(early)
    assert not _night(ws, SWITCH)["failure"]
    found, _states = findings_and_states(ws, lambda f: (f["partner"], f["code"], f["po_number"]))
    assert ("meijer2", "CHANGE_AWAITING_ORDER", "MJ9000102") in found
    shutil.copy2(A_850, ws.drop_root / "meijer" / "inbox")
    assert not _night(ws, ACKED)["failure"]
    assert not _night(ws, datetime(2026, 11, 29, 2))["failure"]  # past early_change_days: nothing refused
    found, states = findings_and_states(ws, lambda f: (f["partner"], f["code"], f["po_number"]))
    assert states[("meijer", "MJ9000102")] == "acknowledged" and ("meijer2", "MJ9000102") not in states
    assert not [f for f in found if f[1] == "CHANGE_ORDER_UNKNOWN"], found
    state = StateStore(ws.state_path)
    try:
        changes = {(c.partner, c.po_number): c.status for c in state.pending_changes(statuses=None)}
        [line] = [ln for ln in state.lines_for({("meijer", "MJ9000102")})[("meijer", "MJ9000102")]
                  if ln.line_number == 1]
    finally:
        state.close()
    assert ("meijer2", "MJ9000102") not in changes and changes[("meijer", "MJ9000102")] in ("applied", "answered")
    assert line.ordered == 36
    assert _sent(ws, "meijer2")[("855", "MJ9000102")][:5] == B_IDS


def _store_seen(ws):
    """What the store holds of both profiles: (documents (partner, file), changes (partner, PO): status, line 1's
    ordered units per order, orders (partner, PO): state)."""
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        docs = {(d.partner, d.file_name) for p in ("meijer", "meijer2") for d in state.documents(p)}
        changes = {(c.partner, c.po_number): c.status for c in state.pending_changes(statuses=None)}
        orders = {(o.partner, o.po_number): o.state for o in state.orders()}
        lines = {key: [ln.ordered for ln in rows if ln.line_number == 1]
                 for key, rows in state.lines_for(set(orders)).items()}
        return docs, changes, lines, orders
    finally:
        state.close()


def _rebuilt(ws):
    from typer.testing import CliRunner

    from flows.cli import app

    for p in ws.state_path.parent.glob(ws.state_path.name + "*"):
        p.unlink()
    res = CliRunner().invoke(app, ["state", "rebuild", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    return _store_seen(ws)


def test_a_rebuilt_store_moves_the_continuing_profiles_860_that_waited_for_the_first_ones_850(tmp_path):
    """`orderbridge state rebuild` after B's 860 for MJ9000102 waited (11-26) for A's 850 (11-27), which made it A's
    and applied it before the order's first 855: the rebuilt store holds the change as A's and answered (by that 855,
    BAK01 00: it stayed pending, and the next night applied it again), A's order as the night left it (line 1 36,
    revision 2 answered), and A's 997 for its 850 (to A's ids, in B's outbox) as A's document (it was B's). The
    night after the rebuild sends nothing more for the order."""
    ws = _workspace(tmp_path / "ws")
    assert not _night(ws, BEFORE)["failure"]
    early = B_860.read_text().replace("MJ9000101", "MJ9000102")
    (ws.drop_root / "meijer2" / "inbox" / "MEIJER_860_MJ9000102.x12").write_text(early)
    assert not _night(ws, SWITCH)["failure"]
    shutil.copy2(A_850, ws.drop_root / "meijer" / "inbox")
    assert not _night(ws, ACKED)["failure"]
    before = _store_seen(ws)
    assert before[1][("meijer", "MJ9000102")] in ("applied", "answered") and before[2][("meijer", "MJ9000102")] == [36]
    docs, changes, lines, orders = _rebuilt(ws)
    assert ("meijer2", "MJ9000102") not in changes, changes
    assert changes[("meijer", "MJ9000102")] in ("applied", "answered") and lines[("meijer", "MJ9000102")] == [36]
    assert docs == before[0] and set(changes) == set(before[1]) and orders == before[3]
    sent = {p.name for p in _files(ws, "meijer2")}
    assert not _night(ws, datetime(2026, 11, 29, 2))["failure"]
    again = [p.name for p in _files(ws, "meijer2") if p.name not in sent]
    assert not [n for n in again if ("855", "MJ9000102") in _sent(ws, "meijer2", {n})], again


def _resend(ws, name: str, *more: str, now: str = "2026-11-27T10:00:00"):
    from tests.test_blankets3 import _cli

    return _cli(ws, "resend", "--partner", "meijer", "--file", name, *more, "--by", "Ann", "--note",
                "lost in the move to their new VAN", "--now", now)


def test_a_document_sent_to_the_first_ones_ids_before_the_date_is_not_resent_to_ids_it_left(tmp_path):
    """A's 855 of MJ9000101 went to A's ids (ZZ/MEIJERVAN, 004010) on 11-24; on 11-27 the partner, now on its new
    translator (B's ids, 005010), says it never arrived. The same bytes would go to ids it no longer reads: refused,
    naming --new-control-numbers; and that is refused too here, saying why: the sets were written in 004010 and B's
    ids are sent 005010 (made again in that release, not re-enveloped). Nothing is written to either drop (a resend
    of it used to put A's old interchange in B's drop)."""
    ws = _workspace(tmp_path / "ws")
    assert not _night(ws, BEFORE)["failure"]
    [name] = [p.name for p in _files(ws, "meijer") if ("855", "MJ9000101") in _sent(ws, "meijer", {p.name})]
    a_files = {p.name for p in _files(ws, "meijer")}
    code, text = _resend(ws, name)
    assert code != 0 and not _files(ws, "meijer2"), text
    assert f"the 855 {name} was sent to meijer's ids ZZ/MEIJERVAN before meijer2 carried on meijer's orders; the " \
           "partner's translator now takes meijer2's ids (08/6111470000): resend it with --new-control-numbers" in \
           text, text
    code, text = _resend(ws, name, "--new-control-numbers")
    assert code != 0 and not _files(ws, "meijer2") and {p.name for p in _files(ws, "meijer")} == a_files, text
    assert "cannot go under meijer2's envelope: its sets were written in release 004010 and 08/6111470000 are sent " \
           "005010" in text, text


def test_a_document_sent_to_the_first_ones_ids_before_the_date_is_resent_under_the_continuing_envelope(tmp_path):
    """B on A's release (004010) with its own ids and '|' separators: A's 855 sent to A's ids on 11-24, resent with
    --new-control-numbers on 11-27, goes under B's envelope (B's ids and group ids, '|'), to B's drop, named as B's,
    with B's next ISA13 and GS06 (past every number either sequence gave), its sets as sent but for the delimiters.
    B's 997 accepting it (11-28) is the answer to A's document: no FA_UNMATCHED. It used to go under A's ids with A's
    numbers."""
    from connectors.state import StateStore

    ws = _workspace(tmp_path / "ws")
    (ws.partners_dir / "meijer2.toml").write_text(B_PROFILE.replace('version = "005010"', 'version = "004010"'))
    assert not _night(ws, BEFORE)["failure"]
    [name] = [p.name for p in _files(ws, "meijer") if ("855", "MJ9000101") in _sent(ws, "meijer", {p.name})]
    first = (ws.drop_root / "meijer" / "outbox" / name).read_text()
    old_isa13 = _sent(ws, "meijer", {name})[("855", "MJ9000101")][5]
    a_files = {p.name for p in _files(ws, "meijer")}
    code, text = _resend(ws, name, "--new-control-numbers")
    assert code == 0, text
    assert {p.name for p in _files(ws, "meijer")} == a_files
    [new] = _files(ws, "meijer2")
    sent = _sent(ws, "meijer2", {new.name})[("855", "MJ9000101")]
    assert sent[:5] == (*B_IDS[:3], "004010", "|") and int(sent[5]) > int(old_isa13), sent
    assert new.name == f"meijer2-855-{sent[5]}.x12"

    def sets(text: str) -> list[list[str]]:
        segs = [s.split(text[3]) for s in text.replace("\n", "").split("~") if s]
        return [s for s in segs if s[0] not in ("ISA", "GS", "GE", "IEA")]

    assert sets(new.read_text()) == sets(first)  # the sets as sent, but for the delimiters
    text = new.read_text()
    segs = [s.split("|") for s in text.replace("\n", "").split("~") if s]
    gs06, st02 = next(x[6] for x in segs if x[0] == "GS"), next(x[2] for x in segs if x[0] == "ST")
    isa = ("ISA*00*          *00*          *08*6111470000     *ZZ*ORDERBRIDGE    *261128*0100*U*00401*000005201*0*P*>")
    (ws.drop_root / "meijer2" / "inbox" / "MEIJER_997_5201.x12").write_text("~".join([
        isa, "GS*FA*MEIJERINC*ORDERBRIDGE*20261128*0100*5201*X*004010", "ST*997*0001", f"AK1*PR*{gs06}",
        f"AK2*855*{st02}", "AK5*A", "AK9*A*1*1*1", "SE*6*0001", "GE*1*5201", "IEA*1*000005201", ""]))
    assert not _night(ws, datetime(2026, 11, 28, 2))["failure"]
    found, _states = findings_and_states(ws, lambda f: (f["partner"], f["code"], f["file"]))
    assert not [f for f in found if f[1].startswith("FA_")], found
    state = StateStore(ws.state_path)
    try:
        verdicts = state.document_status_for("meijer", {(sent[5], gs06, st02)})
    finally:
        state.close()
    assert [v["status"] for v in verdicts.values()] == ["accepted"], verdicts
