"""One interchange too large to hold, checked a batch of transaction sets at a time (issue 14 item 4):
its envelope first (parsers.x12_batches.read_head: ISA, groups, IEA; partner, duplicates, TA1), then
each batch's sets (ST/SE checks, structure, guide, orders, 860s, partners' 997s), each group's 997
built from the AK2 loops of all its batches: the same findings, documents and tables as
engine.process reading the interchange whole. Pure: parse results in, Outcomes out.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime

import pyarrow as pa

from engine.acks import (
    SET_ACCEPTED,
    ak1_segment,
    ak2_loops,
    ak9_segment,
    group_rejected,
    interchange_findings,
    interchange_rejected,
    noted_in,
    statuses_of,
    ta1_asked,
    ta1_segment,
    unnameable_groups,
)
from engine.budgets import cap_findings, spans_of, too_many_sets
from engine.envelope import ack_built_as, ack_version, reply_address, ta1_version
from engine.process import (
    Known,
    Outcome,
    OutDoc,
    acceptance_for,
    ack_content,
    acks_only,
    as_written,
    duplicate_envelopes,
    group_key,
    inbound_sets,
    partner_checks,
    read_875_into,
    read_876_into,
    sender_refused,
    set_pos,
    sets_too_large,
    shifted,
    with_kept,
)
from parsers.application_advice import read_application_advice
from parsers.functional_acks import ACK_SET_IDS, read_functional_acks, read_interchange_acks
from parsers.orders_850 import read_orders_with_sacs
from parsers.orders_860 import read_changes_with_sacs
from parsers.other_sets import handed_off, kept, kept_finding
from parsers.remittance import read_remittance_checked
from parsers.text_messages import read_text_messages
from parsers.x12_batches import Batch, Skeleton, read_batch, read_head
from parsers.x12_reader import ParseResult
from parsers.x12_stream import OversizedSet
from parsers.x12_writer import Segment
from rules.envelope import check_interchange, check_sets
from rules.guide import check_guide
from rules.lenient import accept_harmless, acted_by
from rules.set_checks import line_refs_echoed_by, marks_carried_by
from rules.structure import check_structure, sdq_applied, taxes_of_invoices
from schemas.changes import CHANGE_HEADERS, CHANGE_SACS, ORDER_CHANGES
from schemas.functional_acks import ACK_CONTENT
from schemas.profile import PartnerProfile

_SHARED = {("AK5", "A"): ("AK5", "A"), ("AK5", "R"): ("AK5", "R")}


def _compact(loops: list[Segment]) -> list[Segment]:
    """AK2 loops kept until their group's 997 is built, small: segments as tuples (which the document's
    plan keeps as they are, engine.lifecycle.common.planned_document, instead of copying them), the
    frequent AK5s one shared tuple, set ids interned: a group of a million sets keeps an AK2 each."""
    out: list[Segment] = []
    for seg in loops:
        if seg[0] == "AK2":
            out.append(("AK2", sys.intern(seg[1]), *seg[2:]))
        else:
            t = tuple(seg)
            out.append(_SHARED.get(t, t))
    return out


class SplitInterchange:
    """The state of one interchange read in batches: built from its envelope (``head``, rows the
    interchange's; ``set_counts``: the sets of each group), then fed its batches in order
    (`batch`), each giving the Outcome a whole read would have given for those sets (segment ordinals
    the file's: ``row_base`` is the file's segments before the interchange). The first batch's Outcome
    carries the envelope's findings and the TA1; a group's 997 comes with the batch that ends it; the
    interchange and its groups are named received (interchanges_seen) with the last batch."""

    def __init__(self, head: ParseResult, set_counts: Sequence[int], *, file: str, sha256: str,
                 profile: PartnerProfile, known: Known, today: date, received_at: datetime | None,
                 row_base: int, agreed_currency: str | None = None,
                 set_ids: Sequence[Collection[str]] | None = None) -> None:
        self.file, self.sha256, self.profile, self.today = file, sha256, profile, today
        self.agreed_currency = agreed_currency  # a PO's currency when it sends no heading CUR (customers.csv)
        self.received_at, self.row_base = received_at, row_base
        self.accept = acceptance_for(profile)
        [ic] = head.interchanges
        self.ic, self.set_counts = ic, list(set_counts)
        self.set_ids = set_ids  # each group's ST01s (parsers.x12_batches.Skeleton), None: unknown
        self.batches_seen = 0
        self.too_many = too_many_sets(sum(self.set_counts), profile.limits, file=file)
        # as engine.process._process: reader findings, envelope checks, partner, duplicates, unnameable groups
        findings = list(head.findings)
        findings += check_interchange(ic, self.accept, self.set_counts, file=file, set_ids=self.set_ids)
        mine = partner_checks(ic, profile) if not ic.rejected else []
        self.sender_ok = not sender_refused(mine)
        findings += [f.with_file(file) for f in mine]
        findings += duplicate_envelopes(head, [ic] if self.sender_ok else [], findings, known, today=today,
                                        window_days=profile.x12.duplicate_window_days)
        findings += [f.with_file(file) for f in unnameable_groups(ic)]
        self.findings = cap_findings(findings, profile.limits, spans_of([ic]))
        self.rejected = ic.rejected or interchange_rejected(ic, self.findings) or not self.sender_ok
        self.group_rejected = [group_rejected(g, self.findings)[0] for g in ic.groups]
        # per group: the release its 997 is written in when not the profile's (ack_version), and the version its
        # body is built by
        self.releases = [ack_version(profile, g.version) for g in ic.groups]
        self.ack_versions = [ack_built_as(profile, r) for r in self.releases]
        self.ack_codes = [group_rejected(g, self.findings, version=v)[1] for g, v in zip(ic.groups, self.ack_versions,
                                                                                           strict=True)]
        # per group: 997 to build? its AK2 loops so far, sets accepted so far; ST02s met (check_sets)
        self.answers = [not self.rejected and g.functional_id != "FA" and profile.acks.send_997
                        and "997" in profile.receives for g in ic.groups]
        self.loops: dict[int, list[Segment]] = {}
        self.accepted: dict[int, int] = {}
        self.noted: set[int] = set()  # groups with a set accepted with errors noted (AK5 E: AK901 E)
        self.seen: dict[int, set[str]] = {}
        self.sent = 0  # groups whose 997 (or nothing) has been given
        self.changes: list[tuple[pa.Table, pa.Table, pa.Table]] = []  # 860s of the batches so far (see `batch`)

    def envelope(self) -> Outcome:
        """What the envelope alone gives (the first batch's Outcome starts from it): its findings, the TA1."""
        out = Outcome(file=self.file, sha256=self.sha256, parse=None)
        if self.too_many is not None:
            out.findings, out.disposition = [self.too_many], "quarantine"
            return out
        ic, profile = self.ic, self.profile
        out.findings = list(self.findings)
        if ic.elements and (ic.rejected or self.sender_ok):
            policy = profile.acks.ta1
            has_error = bool([f for f in interchange_findings(ic, self.findings) if f.severity == "error"])
            if policy == "always" or (policy == "requested" and (ta1_asked(ic, self.findings) or has_error)) or \
                    (policy == "on_error" and has_error):
                out.documents.append(OutDoc("TA1", f"TA1:{self.sha256}:{ic.control_number}:{ic.start + self.row_base}",
                                            ta1=tuple(ta1_segment(ic, self.findings, today=self.today)),
                                            to=reply_address(profile, ic.sender_qualifier, ic.sender, "",
                                                             isa_version=ta1_version(profile, ic.version),
                                                             our_qualifier=ic.receiver_qualifier,
                                                             our_id=ic.receiver)))
        return shifted(out, self.row_base) if self.row_base else out

    def batch(self, result: ParseResult, *, delta: int, group: int, ends_groups: int, last: bool,
              oversized: Sequence[OversizedSet] = ()) -> Outcome:
        """The Outcome of one batch: ``result`` its read (its ISA and group prefix included), ``delta``
        what makes its rows the interchange's, ``group`` the interchange's index of its first group (the
        one open where it starts; -1 for the first batch), ``ends_groups`` how many of the interchange's
        groups are complete after it, ``oversized`` its sets whose bodies were not read."""
        first = self.batches_seen == 0
        self.batches_seen += 1
        out = Outcome(file=self.file, sha256=self.sha256, parse=result)
        if self.too_many is not None:
            return self.envelope() if first else out
        file, profile = self.file, self.profile
        [ic] = result.interchanges
        base = max(group, 0)
        findings = [f for f in result.findings if f.code == "SE_MISSING"]
        for k, g in enumerate(ic.groups):
            findings += [f.with_file(file) for f in
                         check_sets(ic, g, g.transactions, self.accept, self.seen.setdefault(base + k, set()),
                                    self.set_ids[base + k] if self.set_ids is not None else None)]
        inbound = as_written(result, inbound_sets([ic], profile))
        structural = check_structure(result, with_kept(inbound, [ic], self.accept),
                                     common=profile.x12.other_versions == "common",
                                     invoice=profile.fulfilment.invoice,
                                     components=profile.fulfilment.asn.prepacks == "components",
                                     marks_carried=marks_carried_by(profile),
                                     refs_echoed=line_refs_echoed_by(profile),
                                     agreed_currency=self.agreed_currency)
        findings += taxes_of_invoices(sdq_applied(structural, profile), profile)
        findings += check_guide(result, inbound, profile.x12.guide)
        # an element error in what an order is not made of: accepted with errors noted ([x12] element_errors)
        findings = accept_harmless(findings, result, inbound, policy=profile.x12.element_errors,
                                   acted=acted_by(profile))
        too_large = sets_too_large(result, oversized, profile.limits, file)
        if too_large:
            gone = {(f.location.isa13, f.location.gs06, f.location.st02) for f in too_large}
            findings = [f for f in findings if (f.location.isa13, f.location.gs06, f.location.st02) not in gone
                        or not f.location.st02] + too_large
        findings = cap_findings(findings, profile.limits, spans_of([ic]))
        order_sets, change_sets, ack_sets, advice_sets, text_sets, grocery_sets = [], [], [], [], [], []
        grocery_changes: list = []  # 876s (engine.process.read_876_into)
        refused_texts: set[int] = set()  # the ST positions of the 864 sets refused (997 AK5 R)
        kept_sets: list = []  # taken, not processed (engine.process.received_not_processed)
        if not self.rejected:
            for k, g in enumerate(ic.groups):
                hi = base + k
                statuses = statuses_of(g.transactions, findings)
                if self.answers[hi]:
                    loops, accepted = ak2_loops(g, g.transactions, findings, group_is_rejected=self.group_rejected[hi],
                                                version=self.ack_versions[hi], statuses=statuses,
                                                avoid=profile.x12.delimiters.chars(), group_codes=self.ack_codes[hi])
                    self.loops.setdefault(hi, []).extend(_compact(loops))
                    self.accepted[hi] = self.accepted.get(hi, 0) + accepted
                    if noted_in(loops):
                        self.noted.add(hi)
                ok = [] if self.group_rejected[hi] else [
                    ts for ts, (status, _, _) in zip(g.transactions, statuses, strict=True) if status in SET_ACCEPTED]
                if g.functional_id == "PO":
                    order_sets += [(ic, g, ts) for ts in ok if ts.set_id == "850"]
                if g.functional_id == "OG" and "875" in profile.accepts:
                    grocery_sets += [(ic, g, ts) for ts in ok if ts.set_id == "875"]
                if g.functional_id == "OG" and "876" in profile.accepts:
                    grocery_changes += [(ic, g, ts) for ts in ok if ts.set_id == "876"]
                if g.functional_id == "PC" and "860" in profile.accepts:
                    change_sets += [(ic, g, ts) for ts in ok if ts.set_id == "860"]
                if g.functional_id == "FA" and "997" in profile.accepts:
                    ack_sets += [(ic, g, ts) for ts in g.transactions if ts.set_id in ACK_SET_IDS]
                if g.functional_id == "AG" and "824" in profile.accepts:
                    advice_sets += [(ic, g, ts) for ts in ok if ts.set_id == "824"]
                if g.functional_id == "TX" and "864" in profile.accepts:  # a refused one too: its words, marked
                    taken = {ts.start for ts in ok}
                    text_sets += [(ic, g, ts) for ts in g.transactions if ts.set_id == "864"]
                    refused_texts.update(ts.start for ts in g.transactions if ts.start not in taken)
                if self.accept.keep_others:  # taken without processing: only a profile that keeps them (as
                    # engine.process: Acceptance.kept is False for every set otherwise)
                    gid = g.functional_id
                    kept_sets += [(ic, g, ts) for ts in ok if self.accept.kept(gid, ts.set_id)]
        out.orders, out.lines, out.sacs = read_orders_with_sacs(result, order_sets, partner=profile.id,
                                                                source_sha256=self.sha256,
                                                                ship_to=profile.rules.default_ship_to)
        if grocery_sets:  # 875s into the same tables (engine.process.read_875_into)
            findings += read_875_into(out, result, grocery_sets, profile, self.sha256)
        out.accepted_orders = out.orders["order_ref"].to_pylist()
        out.change_headers, out.changes, out.change_sacs = read_changes_with_sacs(
            result, change_sets, partner=profile.id, source_sha256=self.sha256)
        if grocery_changes:  # 876s into the same tables (engine.process.read_876_into)
            findings += read_876_into(out, result, grocery_changes, profile, self.sha256)
        if ack_sets:
            out.functional_acks, ack_findings = read_functional_acks(result, partner=profile.id,
                                                                     source_sha256=self.sha256,
                                                                     received_at=self.received_at, sets=ack_sets)
            findings += [f.with_file(file) for f in ack_findings]
        if advice_sets:
            out.advice = read_application_advice(result, advice_sets, partner=profile.id, source_sha256=self.sha256,
                                                 received_at=self.received_at)
        if text_sets:
            out.text_messages = read_text_messages(result, text_sets, partner=profile.id, source_sha256=self.sha256,
                                                   received_at=self.received_at, refused=refused_texts)
        out.kept = kept(result, kept_sets, file, profile.id)
        findings += [kept_finding(k, profile.id) for k in out.kept]
        if kept_sets:  # the 820s' and 812s' figures, and each set for ops and the ERP (engine.process.Outcome)
            out.remittance, unread = read_remittance_checked(result, kept_sets, partner=profile.id, file=file,
                                                             sha256=self.sha256, received_at=self.received_at)
            findings += unread
            out.handoff = handed_off(result, kept_sets, profile.id)
        out.findings = findings
        out.set_pos = set_pos(result)  # this batch's 850s and 860s, as a whole read records the file's
        out = shifted(out, delta + self.row_base)
        # a whole read plans every order of the interchange before any 860: its 860s go with the last batch
        self.changes.append((out.change_headers, out.changes, out.change_sacs))
        out.change_headers, out.changes = CHANGE_HEADERS.empty_table(), ORDER_CHANGES.empty_table()
        out.change_sacs = CHANGE_SACS.empty_table()
        if last:
            out.change_headers = pa.concat_tables([h for h, _, _ in self.changes])
            out.changes = pa.concat_tables([c for _, c, _ in self.changes])
            out.change_sacs = pa.concat_tables([s for _, _, s in self.changes])
            self.changes = []
        head = self.envelope() if first else None
        if head is not None:
            out.findings = head.findings + out.findings
            out.documents = head.documents
        for hi in range(self.sent, len(self.ic.groups) if last else min(ends_groups, len(self.ic.groups))):
            g = self.ic.groups[hi]
            self.seen.pop(hi, None)
            if self.answers[hi]:
                body = [ak1_segment(g, self.ack_versions[hi]), *self.loops.pop(hi, []),
                        ak9_segment(self.group_rejected[hi], self.ack_codes[hi], received=self.set_counts[hi],
                                    accepted=self.accepted.pop(hi, 0), noted=hi in self.noted,
                                    included=g.trailer_count if g.has_trailer else None)]
                out.documents.append(OutDoc("997", f"997:{self.sha256}:{ic.control_number}:{g.control_number}:"
                                            f"{g.start + self.row_base}", functional_id="FA", bodies=(tuple(body),),
                                            to=reply_address(profile, self.ic.sender_qualifier, self.ic.sender,
                                                             g.sender, g.receiver, version=self.releases[hi],
                                                             our_qualifier=self.ic.receiver_qualifier,
                                                             our_id=self.ic.receiver)))
                del body
            self.sent = hi + 1
        if last and not self.rejected:
            out.interchanges_seen.append((self.ic.sender, self.ic.control_number))
            out.groups_seen += [group_key(g) for g, rejected in zip(self.ic.groups, self.group_rejected, strict=True)
                                if not rejected]
        out.disposition = "quarantine" if out.error_count else "processed"  # a partner's verdict on ours is not one
        return out


def process_in_batches(sk: Skeleton, read: Callable[[int, int], bytes], *, file: str, sha256: str,
                       profile: PartnerProfile, known: Known, today: date, received_at: datetime | None = None,
                       row_base: int = 0, agreed_currency: str | None = None) -> Iterator[tuple[Batch | None, Outcome]]:
    """Every batch of the scanned interchange ``sk`` (parsers.x12_batches; ``read(start, end)`` gives its
    bytes there) with its Outcome, in order; (None, the envelope's Outcome) alone when the interchange
    holds more sets than the partner's limit (none is read, as engine.process does)."""
    head = read_head(sk, file=file)
    [ic] = head.interchanges
    key = (ic.sender, ic.control_number)
    if key in known.earlier_acks and key not in known.this_file_interchanges and acks_only(ic):
        said = acks_said(sk, read, file=file)  # a resend of acknowledgments? compared as a whole read compares
        if said is not None:
            known = replace(known, said_acks={**known.said_acks, key: said})
    split = SplitInterchange(head, sk.set_counts, file=file, sha256=sha256, profile=profile,
                             known=known, today=today, received_at=received_at, row_base=row_base,
                             agreed_currency=agreed_currency, set_ids=sk.set_ids)
    if split.too_many is not None or any(f.code == "ISA_ACKS_REPEATED" for f in split.findings):
        yield None, split.envelope()  # too many sets, none read; or acknowledgments we hold, not read again
        return
    for k, b in enumerate(sk.batches):
        result, delta = read_batch(sk, b, read, file=file)
        last = k == len(sk.batches) - 1
        yield b, split.batch(result, delta=delta, group=b.group, last=last, oversized=(b.huge,) if b.huge else (),
                             ends_groups=len(sk.set_counts) if last else max(sk.batches[k + 1].group, 0))
        del result


def acks_said(sk: Skeleton, read: Callable[[int, int], bytes], *, file: str) -> tuple | None:
    """What the acknowledgments of an interchange of them too large to hold say (engine.process.ack_content: the
    same as a whole read gives), read a batch at a time and let go, each batch's rows kept as ACK_CONTENT's texts
    alone; None when it cannot be said whole (a set over max_set_bytes, its body never read; a set not a 997/999):
    its copy then stays ISA_DUPLICATE. Read only for an interchange of acknowledgments seen in an earlier file."""
    rows: list[dict] = []
    for b in sk.batches:
        if b.huge is not None:
            return None
        result, _ = read_batch(sk, b, read, file=file)
        [ic] = result.interchanges
        sets = [(ic, g, ts) for g in ic.groups for ts in g.transactions]
        if any(ts.set_id not in ACK_SET_IDS for _, _, ts in sets):
            return None
        for table in ((read_functional_acks(result, partner="", sets=sets)[0],) if sets else ()) + (
                read_interchange_acks(result, [ic], partner="")[0],):
            rows += table.select(list(ACK_CONTENT)).to_pylist()
        del result
    return ack_content(rows)
