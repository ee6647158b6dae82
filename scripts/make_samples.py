"""Regenerate the demo drops in sample_files/drops/ (deterministic). Run: python scripts/make_samples.py"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth_850 import interchange, purchase_order  # noqa: E402
from schemas.profile import load_profiles  # noqa: E402

WHEN = date(2026, 11, 26)


def main() -> None:
    profiles = load_profiles(ROOT / "partners")
    out = ROOT / "sample_files" / "drops"
    rng = random.Random(850)
    for pid, p in profiles.items():
        folder = out / pid
        folder.mkdir(parents=True, exist_ok=True)
        x = p.x12
        d = x.delimiters.to_delimiters()
        base = {"acme": 1000, "globex": 2000, "initech": 3000}[pid]
        kw = dict(sender=(x.their_qualifier, x.their_id), receiver=(x.our_qualifier, x.our_id),
                  gs_ids=(x.their_gs_id, x.our_gs_id), version=x.version, d=d, when=WHEN, usage=x.usage)
        for f in range(2):
            pos = [purchase_order(f"{pid.upper()}-{base + f * 10 + k}", 3 + k, rng, po_date=WHEN) for k in range(2)]
            data = interchange(isa13=base + f + 1, bodies=pos, ack_requested="1" if pid == "acme" and f == 1 else "0",
                               **kw)
            (folder / f"{pid}-po-{f + 1:02d}.x12").write_bytes(data)
    # ACME also sends a broken file: wrong SE01 count, an invalid BEG05 date and a PO1 without quantity.
    x = profiles["acme"].x12
    d = x.delimiters.to_delimiters()
    po = purchase_order("ACME-1099", 2, rng, po_date=WHEN)
    po[0][5] = "20261341"
    po[9][2] = ""
    data = interchange(sender=(x.their_qualifier, x.their_id), receiver=(x.our_qualifier, x.our_id),
                       gs_ids=(x.their_gs_id, x.our_gs_id), version=x.version, d=d, when=WHEN, isa13=1099,
                       bodies=[po], usage="P").replace(b"SE*16*0001", b"SE*15*0001")
    (out / "acme" / "acme-po-broken.x12").write_bytes(data)
    # A file in Initech's drop that claims to come from ACME: quarantined, never processed as Initech.
    x = profiles["acme"].x12
    data = interchange(sender=(x.their_qualifier, x.their_id), receiver=(x.our_qualifier, x.our_id),
                       gs_ids=(x.their_gs_id, x.our_gs_id), version=x.version, d=d, when=WHEN, isa13=1200,
                       bodies=[purchase_order("ACME-1200", 1, rng, po_date=WHEN)])
    (out / "initech" / "initech-po-foreign.x12").write_bytes(data)
    (out / "globex" / "globex-not-edi.txt").write_bytes(b"Order for 12 widgets, please call me. Bob\n")


if __name__ == "__main__":
    main()
