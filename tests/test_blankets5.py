"""What blankets4 left of blankets and their releases, closed (each through real nights):

1. a blanket the buyer cancels (850 BEG01 01, 860 BCH01 01) while a release of it we acknowledged has not shipped:
   the release used to be named in a warning and shipped as answered, against an agreement the buyer ended. It is
   held for a person now (RELEASE_HELD_BLANKET_CANCELLED, at the cancellation, in `status` and the console's
   approvals); its confirmations are held (SHIPMENT_RELEASE_HELD, no 856); approved, it ships as answered (no
   second 855); rejected, it is answered 855 RD and its stock released. A release shipped before stands untouched;
2. a release naming its blanket only by its contract or agreement (REF*CT, REF*AH: an ERP's release order, BEG03 its
   own PO number) is drawn against the blanket held under that number, as one naming it in BEG03 is: it used to be
   decided as an order of its own ("not checked against it").
"""

from __future__ import annotations

from schemas.order_keys import SEP, release_key
from tests.retailer_support import findings_and_states, segments
from tests.test_blankets3 import DAY2, DAY3, DAY4, FIRST, _cancel_blanket, _cli
from tests.test_rg89c import BLANKET, _drop
from tests.test_rg89e import DROPS, NIGHT, RELEASE_FILE, _blanket_850, _night, _put, _release_0001

ONE, TWO = ("fastenal", release_key(BLANKET, "0001")), ("fastenal", release_key(BLANKET, "0002"))


def _confirm(ws, name: str, rows: list[tuple[str, str, int, int]]) -> None:
    """The east DC's CSV confirming (shipment, release, PO line, quantity) of the blanket's releases (RG89-06 line 1,
    RG89-07 line 2)."""
    east = ws.root / "warehouses" / "east.toml"
    if "release_number" not in east.read_text():
        east.write_text(east.read_text().replace('line_id = "PO Line"',
                                                 'line_id = "PO Line"\nrelease_number = "Release"'))
    skus = {1: "RG89-06", 2: "RG89-07"}
    text = "Shipment ID,Ship Date,Carrier,PO Number,Release,PO Line,SKU,Quantity,Unit,Carton ID\n" + "".join(
        f"{sid},2026-11-25,UPSN,{BLANKET},{rel},{line},{skus[line]},{qty},EA,C-{sid}-{line}\n"
        for sid, rel, line, qty in rows)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_text(text)


def _two_releases(tmp_path, name: str, *, ship_two: int = 0):
    """The blanket, release 0001 (1,000 screws, 2,000 nuts) and release 0002 (500 screws), both acknowledged on the
    first night; ``ship_two`` screws of release 0002 shipped that night."""
    from tests.support import run_stages

    ws = _night(tmp_path, name, {"FAS850_FAS8900401_0000.x12": _blanket_850(), RELEASE_FILE: _release_0001()})
    _drop(ws, "0002", ["PO1*1*500*EA*0.42**BP*11128906*VP*RG89-06"], "20261124")
    if ship_two:
        _confirm(ws, "east-0002.csv", [("S-2", "0002", 1, ship_two)])
    run_stages(ws, NIGHT)
    return ws


def _855s(ws) -> list[list[str]]:
    return [s for s in segments(ws, "fastenal", "855") if s[0] == "BAK"]


def test_cancelling_a_blanket_holds_its_acknowledged_unshipped_releases(tmp_path):
    """Releases 0001 and 0002 acknowledged, nothing shipped, then the blanket cancelled (BEG01 01): each release is
    held for a person with a finding at the cancellation naming it (RELEASE_HELD_BLANKET_CANCELLED), its hold
    saying why (`status`, `approvals`); the warning names both as held now. They used to stay acknowledged and
    ship as answered against a cancelled blanket."""
    from tests.support import run_stages

    ws = _two_releases(tmp_path, "held")
    _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states == {FIRST: "cancelled", ONE: "held", TWO: "held"}, states
    held = {po: m for c, po, m in found if c == "RELEASE_HELD_BLANKET_CANCELLED"}
    assert set(held) == {ONE[1], TWO[1]}, found
    assert held[ONE[1]].startswith(f"{BLANKET} release 0001 was acknowledged and nothing of it shipped, and the buyer "
                                   f"cancelled its blanket PO {BLANKET} (BEG01 01): the release is held for a "
                                   "person"), held
    [told] = [m for c, _po, m in found if c == "BLANKET_CANCELLED_RELEASES_OPEN"]
    assert told.startswith(f"Blanket PO {BLANKET} is cancelled (BEG01 01) with 2 releases of it still open: "
                           f"{BLANKET} release 0001 (acknowledged: held now), {BLANKET} release 0002 (acknowledged: "
                           "held now)."), told
    assert not any(SEP in m for _c, _p, m in found)
    code, text = _cli(ws, "status", BLANKET, "--release", "0001")
    assert code == 0 and f"fastenal / {BLANKET} release 0001: held" in text, text
    assert "is no PO number" not in text, text  # (it said the PO was none, "the one order naming item ...")
    assert f"held for: {BLANKET} release 0001 was acknowledged and nothing of it shipped" in text, text
    assert "blanket_cancelled acknowledged ->" in text, text  # its history says what moved it
    code, text = _cli(ws, "approvals")
    assert code == 0 and f"{BLANKET} release 0001" in text and f"{BLANKET} release 0002" in text, text
    from tests.support_console import Client, ConsoleServer, add_users

    add_users(ws.root)
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-26T09:30:00") as server:  # the approvals page says why
        c = Client(server.url)
        c.sign_in("vic")
        status, body = c.get("/approvals")
        assert status == 200 and f"{BLANKET} release 0001</a>" in body, body
        assert "was acknowledged and nothing of it shipped, and the buyer cancelled its blanket PO" in body
    # a recheck leaves it to the person: no rule decides whether the buyer still wants it (rules would find the blanket
    # cancelled and decide it again, a second 855)
    code, text = _cli(ws, "recheck", BLANKET, "--partner", "fastenal", "--release", "0001", "--by", "Kim")
    assert code == 3 and "held because the buyer cancelled its blanket after we acknowledged it" in text, text
    _found, states = findings_and_states(ws)
    assert states[ONE] == "held", states
    # releases 0001 and 0002 answered once each on the first night (the blanket held: none); nothing since
    assert [(b[1], b[2], b[5]) for b in _855s(ws)] == [("00", "AD", "0001"), ("00", "AD", "0002")]


def test_a_held_release_approved_ships_as_answered_and_one_rejected_is_answered_rd(tmp_path):
    """Both releases held by the cancellation, a confirmation of release 0001 comes: held, no 856
    (SHIPMENT_RELEASE_HELD). A person approves 0001 (the buyer says it stands) and rejects 0002: 0001 is
    acknowledged again with no second 855, and its next confirmation ships it (856); 0002 is answered 855 RD the
    next night, its reservations released."""
    from connectors.state import StateStore
    from tests.support import run_stages

    ws = _two_releases(tmp_path, "decided")
    _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY2)
    _confirm(ws, "east-1.csv", [("S-1", "0001", 1, 1000), ("S-1", "0001", 2, 2000)])
    run_stages(ws, DAY3)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[ONE] == "held", states
    [stopped] = [m for c, _po, m in found if c == "SHIPMENT_RELEASE_HELD"]
    assert stopped.startswith(f"Shipment S-1 ships {BLANKET} release 0001, a release held for a person since the "
                              "buyer cancelled its blanket"), stopped
    assert not segments(ws, "fastenal", "856")
    code, text = _cli(ws, "approve", BLANKET, "--partner", "fastenal", "--by", "Kim", "--release", "0001",
                      "--note", "buyer says release 0001 stands")
    assert code == 0 and "the release stands and ships as answered (no new 855" in text, text
    code, text = _cli(ws, "reject", BLANKET, "--partner", "fastenal", "--by", "Kim", "--release", "0002",
                      "--reason", "cancelled with the blanket")
    assert code == 0, text
    _found, states = findings_and_states(ws)
    assert states[ONE] == "acknowledged" and states[TWO] == "rejected_by_person", states
    state = StateStore(ws.state_path)
    try:
        assert state.reservations_for([TWO]), "held, its stock stays reserved until a person decides"
    finally:
        state.close()
    _confirm(ws, "east-2.csv", [("S-1B", "0001", 1, 1000), ("S-1B", "0001", 2, 2000)])
    run_stages(ws, DAY4)
    _found, states = findings_and_states(ws)
    assert states[TWO] == "rejected", states
    assert states[ONE] in ("shipped", "invoiced", "closed"), states
    baks = _855s(ws)
    assert [(b[1], b[2], b[5]) for b in baks] == [("00", "AD", "0001"), ("00", "AD", "0002"),
                                                  ("05", "RD", "0002")], baks  # the RD: a replacing answer
    assert [s[2] for s in segments(ws, "fastenal", "856") if s[0] == "BSN"] == ["S-1B"]
    state = StateStore(ws.state_path)
    try:
        assert not state.reservations_for([TWO])
    finally:
        state.close()


def test_a_release_shipped_before_the_cancellation_is_untouched(tmp_path):
    """Release 0002 shipped whole on the first night, release 0001 not: the cancellation holds 0001 only; 0002 keeps
    its state and is not named (nothing of it is open)."""
    from tests.support import run_stages

    ws = _two_releases(tmp_path, "shipped", ship_two=500)
    _found, before = findings_and_states(ws)
    assert before[TWO] in ("shipped", "invoiced", "closed"), before
    _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[ONE] == "held" and states[TWO] in ("invoiced", "closed"), states
    assert [po for c, po, _m in found if c == "RELEASE_HELD_BLANKET_CANCELLED"] == [ONE[1]]
    [told] = [m for c, _po, m in found if c == "BLANKET_CANCELLED_RELEASES_OPEN"]
    assert "with 1 release of it still open" in told and "release 0002" not in told, told


# --- 2. a release naming its blanket by REF ---------------------------------------------------------------------------


def _sap_release(ws, po: str, screws: int, day: str, *, control: int) -> None:
    """An ERP's release order (SAP S/4HANA's: BEG02 RL, BEG03 its own PO number, no BEG04) naming the blanket
    FAS8900401 as its contract (REF*CT), asking ``screws`` screws, in Fastenal's inbox."""
    from tests.retailer_support import recounted

    first = (DROPS / RELEASE_FILE).read_text()
    text = first.replace(f"BEG*00*RL*{BLANKET}*0001*20261124~", f"BEG*00*RL*{po}**{day}~\nREF*CT*{BLANKET}~")
    text = text.replace("PO1*1*1000*", f"PO1*1*{screws}*").replace("PO1*2*2000*EA*0.18**BP*11128907*VP*RG89-07~\n", "")
    text = text.replace("CTT*2*3000", f"CTT*1*{screws}").replace("000089014", f"{control:09d}").replace(
        "*89014*", f"*{control}*").replace("GE*1*89014", f"GE*1*{control}")
    (ws.drop_root / "fastenal" / "inbox" / f"FAS850_{po}.x12").write_bytes(recounted(text.encode()))


def test_a_release_naming_its_blanket_by_its_contract_is_drawn_against_it(tmp_path, capsys):
    """The blanket FAS8900401 (5,000 screws), then an ERP's release order 4500312001 naming it only in REF*CT (1,000
    screws): drawn against it (no RELEASE_BLANKET_UNKNOWN), acknowledged; the next night release order 4500312002
    (4,500 screws, REF*CT the same): past the blanket with 4500312001's 1,000, held for a person, the finding naming
    the release and its contract. `status` of the blanket counts 4500312001. A release naming its blanket only by REF
    used to be decided as an order of its own, told "not checked against it"."""
    import json

    from flows.status_view import run_status
    from tests.support import run_stages

    ws = _night(tmp_path, "ct", {"FAS850_FAS8900401_0000.x12": _blanket_850()})
    _sap_release(ws, "4500312001", 1000, "20261124", control=89501)
    run_stages(ws, NIGHT)
    found, states = findings_and_states(ws)
    assert states[("fastenal", "4500312001")] == "acknowledged", (states, found)
    assert "RELEASE_BLANKET_UNKNOWN" not in [c for c, _m in found], found
    _sap_release(ws, "4500312002", 4500, "20261125", control=89502)
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws)
    assert states[("fastenal", "4500312002")] == "held", (states, found)
    [past] = [m for c, m in found if c == "RELEASE_PAST_BLANKET"]
    assert past.startswith(f"Release (no BEG04) (PO 4500312002) of blanket contract {BLANKET} (REF*CT) calls off "
                           "4500 EA of 11128906 (line 1), with 1000 EA called off by release 4500312001 before it: "
                           "5500 EA in all, past the blanket's 5000 EA."), past
    assert run_status(BLANKET, None, True, ws.root) == 0
    doc = json.loads(capsys.readouterr().out)
    [blanket] = [r for r in doc.get("releases", [doc]) if r.get("blanket_drawdown")]
    assert blanket["blanket_drawdown"][0]["releases"] == [{"release": "4500312001", "quantity": "1000"},
                                                          {"release": "4500312002", "quantity": "4500"}], blanket


def test_a_release_naming_a_cancelled_blanket_by_its_contract_waits_and_is_held_by_the_cancellation(tmp_path):
    """Release order 4500312001 (REF*CT the blanket) acknowledged, then the blanket cancelled: it is held as a release
    under the blanket's PO number is (RELEASE_HELD_BLANKET_CANCELLED); release order 4500312002 sent after it waits
    for a person naming the contract (RELEASE_BLANKET_CANCELLED)."""
    from tests.support import run_stages

    ws = _night(tmp_path, "ctcancel", {"FAS850_FAS8900401_0000.x12": _blanket_850()})
    _sap_release(ws, "4500312001", 1000, "20261124", control=89501)
    run_stages(ws, NIGHT)
    _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[("fastenal", "4500312001")] == "held", (states, found)
    [(po, held)] = [(po, m) for c, po, m in found if c == "RELEASE_HELD_BLANKET_CANCELLED"]
    assert po == "4500312001" and held.startswith("4500312001 was acknowledged and nothing of it shipped"), held
    _sap_release(ws, "4500312002", 100, "20261125", control=89502)
    run_stages(ws, DAY3)
    found, states = findings_and_states(ws)
    assert states[("fastenal", "4500312002")] == "held", (states, found)
    [told] = [m for c, m in found if c == "RELEASE_BLANKET_CANCELLED"]
    assert told.startswith(f"Release (no BEG04) (BEG02 RL) of PO 4500312002 calls off blanket contract {BLANKET} "
                           "(REF*CT), which the buyer cancelled"), told


# --- 3. a blanket agreed by value -------------------------------------------------------------------------------------


def test_a_release_of_a_blanket_agreed_by_value_is_held_saying_so(tmp_path):
    """A blanket whose lines state no quantity (`PO1*1***0.42**BP*...`, PO102 and PO103 empty) and an amount
    (`AMT*TT*2100`): we found no public guide for a value-only blanket, so no amount is read as its limit. The blanket
    is read (997 accepted) and held as a blanket; release 0001 of it is held for a person saying the blanket line
    states no quantity (RELEASE_BLANKET_BY_VALUE), not RELEASE_UNIT_UNCONVERTED with an empty unit ("holding  :")."""
    from tests.retailer_support import recounted
    from tests.support import run_stages

    blanket = _blanket_850().replace("PO1*1*5000*EA*0.42**", "PO1*1***0.42**").replace(
        "PO1*2*10000*EA*0.18**", "PO1*2***0.18**").replace("CTT*2*15000~", "CTT*2~\nAMT*TT*2100~")
    ws = _night(tmp_path, "value", {"FAS850_FAS8900401_0000.x12": recounted(blanket.encode()).decode(),
                                    RELEASE_FILE: _release_0001()})
    run_stages(ws, NIGHT)
    found, states = findings_and_states(ws)
    assert states == {FIRST: "held", ONE: "held"}, (states, found)
    codes = [c for c, _m in found]
    assert "RELEASE_UNIT_UNCONVERTED" not in codes and "ORDER_TYPE_UNSUPPORTED" in codes, found
    told = [m for c, m in found if c == "RELEASE_BLANKET_BY_VALUE"]
    assert len(told) == 2 and told[0].startswith(
        f"Release 0001 of blanket PO {BLANKET} calls off 1000 EA of 11128906 (line 1), and the blanket's line 1 "
        "states no quantity (PO102 empty: a blanket agreed by value, its limit an amount): we keep no value limit of a "
        "blanket"), told
    assert [s[1] for s in segments(ws, "fastenal", "997") if s[0] == "AK5"] == ["A", "A"]
    assert not _855s(ws)


def test_a_release_partly_shipped_before_the_cancellation_is_named_not_held(tmp_path):
    """Release 0002 shipped 200 of its 500 screws on the first night: the cancellation holds release 0001 and names
    0002 partly shipped, not held: what left stands and (since blankets6) its balance is cancelled, the 200 billed
    (tests/test_blankets6.py). It used to ship its balance as answered."""
    from tests.support import run_stages

    ws = _two_releases(tmp_path, "part", ship_two=200)
    _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert states[ONE] == "held" and states[TWO] == "invoiced", states
    assert [po for c, po, _m in found if c == "RELEASE_HELD_BLANKET_CANCELLED"] == [ONE[1]]
    [told] = [m for c, _po, m in found if c == "BLANKET_CANCELLED_RELEASES_OPEN"]
    assert (f"{BLANKET} release 0001 (acknowledged: held now), {BLANKET} release 0002 (partially_shipped: balance "
            "cancelled now)") in told, told
    assert "one partly shipped keeps what left and its balance is cancelled" in told, told
