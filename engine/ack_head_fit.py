"""Whether an 855 (BAK) or 865 (BCA) can carry a PO's ids in the partner's version, and the finding when it
cannot: its PO number in BAK03/BCA03 (data element 324: 22 characters in 004010 and 005010), its release in
BAK05/BCA04 (328: 30). An 850 or 860 of a version whose lengths we do not check (x12.other_versions "common": an
004030 group) may send longer ones; the head's PO number is mandatory and an id cut names another PO, so the
answer would be refused by the partner's translator whatever we wrote: none is sent.

Pure: a key, a release and a profile in, a reason or a FindingRecord out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from schemas.findings import finding, finding_at_row
from schemas.lifecycle import FindingRecord
from schemas.order_keys import key_release, x12_po
from schemas.profile import PartnerProfile
from schemas.x12dict import dictionary

# set -> (its head segment, the PO number's element, the release's element)
HEADS = {"855": ("BAK", "BAK03", "BAK05"), "865": ("BCA", "BCA03", "BCA04")}


def head_unfit(set_id: str, key: str, release: str | None, profile: PartnerProfile) -> tuple[str, str] | None:
    """The element of ``set_id``'s head (855 BAK, 865 BCA) that cannot hold the ids of the order keyed ``key``
    (release ``release``) in the partner's version, and why (None when it can)."""
    version = profile.x12.version if profile.x12 is not None else "004010"
    d = dictionary(version)
    if d is None:
        return None
    _seg, po_element, release_element = HEADS[set_id]
    for value, ref, element, what in ((x12_po(key), "324", po_element, "PO number"),
                                      (release or "", "328", release_element, "release number")):
        most = d.elements[ref].max
        if len(value) > most:
            return element, (f"its {what} {value!r} has {len(value)} characters and {element} holds {most} in "
                             f"{version}, the version of {profile.id}'s {set_id}")
    return None


def heads_unfit(set_id: str, keys: Sequence[str], releases: Sequence[str | None], profile: PartnerProfile
                ) -> dict[int, tuple[str, str]]:
    """head_unfit of many orders of one partner (``keys`` and their ``releases``, in step): the position of
    each that cannot be written, and why. The version's limits are looked up once; a PO whose key and
    release are no longer than them fits (its PO number is never longer than its key), the others are
    asked of head_unfit (10,000 POs: 0.15 s CPU of dictionary look-ups spared)."""
    version = profile.x12.version if profile.x12 is not None else "004010"
    d = dictionary(version)
    if d is None:
        return {}
    most_po, most_release = d.elements["324"].max, d.elements["328"].max
    return {i: why for i, (key, release) in enumerate(zip(keys, releases, strict=True))
            if (len(key) > most_po or (release is not None and len(release) > most_release))
            and (why := head_unfit(set_id, key, release, profile))}


def change_unfit(header: Mapping, profile: PartnerProfile) -> tuple[str, str] | None:
    """head_unfit of the 865 answering the 860 whose CHANGE_HEADERS row is ``header`` (its BCA03 and BCA04 are
    what engine.po_change_ack.build_865 writes)."""
    key = header["po_number"]
    return head_unfit("865", key, header.get("release_number") or key_release(key), profile)


def not_sent(set_id: str, profile: PartnerProfile, po_number: str, unfit: tuple[str, str], *, what: str,
             row: Mapping | None = None) -> FindingRecord:
    """The ACK_NOT_SENT error of a PO (``po_number``) whose ``set_id`` cannot be written (``unfit``: head_unfit);
    ``what``: what is done all the same (the order decided, the change applied); ``row``: the canonical row of
    the document answered (its file, ISA13, GS06 and ST02), when at hand."""
    element, why = unfit
    message = (f"The PO cannot be acknowledged by {set_id}: {why}. No {set_id} is sent (an id is never cut: cut, it "
               f"names another PO; sent whole, the partner's translator refuses the {set_id}); {what}.")
    seg = HEADS[set_id][0]
    found = finding("ACK_NOT_SENT", message, seg=seg, element=element) if row is None else \
        finding_at_row("ACK_NOT_SENT", message, row, seg=seg, element=element, position=False)
    return FindingRecord(found, profile.id, po_number, f"no {set_id} sent", "decide")
