"""An 850 naming a release (BEG02 RL, BEG04 the release number) is answered with an 855 whose BAK05
echoes that release number beside the PO number (BAK03), as the buyer's system needs to match the
acknowledgment to the release it sent; a PO without BEG04 leaves BAK05 empty."""

from __future__ import annotations

from datetime import datetime

import pytest

from parsers.x12_reader import read_interchanges
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850

NIGHT = datetime(2026, 11, 27, 2)
LINES = ["PO1*1*10*EA*4.56*PE*VN*VP-1011", "PO1*2*12*EA*5.81*PE*VN*VP-1012", "CTT*2*22"]  # items on file


@pytest.mark.parametrize(("beg", "release"), [("BEG*00*RL*PO-1*7*20261126", "7"),
                                              ("BEG*00*SA*PO-1**20261126", "")])
def test_the_855_echoes_the_release_number_in_bak05(tmp_path, beg, release):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850([beg, *GOOD_PO[1:6], *LINES]))
    run_stages(ws, NIGHT)
    [path] = ws.drop_root.glob("acme/outbox/*-855-*.x12")
    [bak] = [r for r in read_interchanges(path.read_bytes()).segments.elements.to_pylist() if r[0] == "BAK"]
    assert bak[3] == "PO-1" and bak[2] == "AD"
    assert (bak[5] if len(bak) > 5 else "") == release
