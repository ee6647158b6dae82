"""Partners' 997s/999s matched to the documents we sent: the verdict per sent set (DOCUMENT_STATUS).

Pure and columnar: SENT_SETS and FUNCTIONAL_ACKS tables in, DOCUMENT_STATUS and findings out; the run
clock (``as_of``) and each partner's FinanceSettings are arguments. Must not touch the state store.

How a sent set is decided (key: partner, GS01, GS06, ST02, all-digit numbers compared by value; control
numbers are never reused per partner):
  * answers: every AK2 naming the set (AK101 = GS01, AK102 = GS06, AK202 = ST02), and every
    acknowledgment of its group (AK1) that lists no AK2 for it, which answers with the group's AK901
    (unless it lists as many sets, an AK2 listed twice counting once, as its AK902 says the group held:
    then our set never reached them);
  * a set's answer: AK501 A -> accepted, E -> accepted_with_errors, M R W X -> rejected; a group rejected
    as a whole (AK901 M R W X) rejects its sets whatever their AK5 says; a set listed without a readable AK5
    takes its group's AK901 (A, E, M R W X; under P it stays unanswered), one whose AK5 has a code X12 does not
    have (P, lowercase) too, but never plainly accepted (A or E: accepted_with_errors). A group
    answer: A -> accepted, E -> accepted_with_errors, P -> accepted (under P the sets not listed are the
    accepted ones, when the 997 names every set it rejected: AK903 - AK904 of them listed with AK5 R; else none
    of them is decided, each stays unanswered with reasons naming that 997), M R W X -> rejected; under an E
    that lists AK2s for some sets, those not listed are
    accepted (the errors noted are the listed sets'). Answers with an unknown or missing status do not count;
  * the latest answer counts (received_at, else the 997's GS04/GS05; answers picked up together: the one
    the partner wrote last, GS04/GS05 or a TA1's ISA09/ISA10; then file order); answers that disagree raise
    FA_ACK_CONFLICT, told at the answer that came last;
  * a partner's TA1 rejecting our interchange (TA104 R; TA101 = our ISA13, compared by value) rejects
    every set we sent in it, and wins over any 997/999 for them, whenever it came: X12's TA1 R says the
    interchange was not processed, so a 997 claiming otherwise is a translator's slip (FA_ACK_CONFLICT);
    documents sent again go in a new interchange, decided on their own. TA104 A and E decide nothing;
  * an 824 (engine.application_advice: the partner's application's verdict, ack_type 824) counts over any
    997/999 or TA1, the latest 824 first, and disagreeing with them is no conflict; of the OTIs one 824 gives
    a set, the worst (rejected, accepted with errors, accepted) counts, the others' complaints added to its
    reasons; a group-level OTI answers in its own words (not an AK9's "not listed" ones);
  * no answer: overdue once as_of is past sent_at + the partner's ack_997_hours, else pending; from a
    partner who sends no 997s (FinanceSettings.expects_997 False): not_expected, never overdue.
An AK2 (or an AK1 without AK2s), or a TA1, that names nothing we sent to that partner is an FA_UNMATCHED
finding. A 997/999 acknowledging our 997s (AK101 FA) is kept but decides and says nothing: X12 has
acknowledgments never acknowledged, and we never answer one (engine.process sends no 997 for an FA group).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.functional_acks import describe
from schemas.ack_reasons import ACCEPTED, ACCEPTED_WITH_ERRORS, REJECTED
from schemas.finance import FinanceSettings, settings_for
from schemas.findings import Finding, finding
from schemas.functional_acks import DOCUMENT_STATUS, FUNCTIONAL_ACKS, SENT_SETS, TIME

_KEY = ["partner", "functional_id", "gs06", "st02"]
_GROUP_KEY = ["partner", "functional_id", "gs06"]
_SET_VERDICT = {**{c: "accepted" for c in ACCEPTED}, **{c: "accepted_with_errors" for c in ACCEPTED_WITH_ERRORS},
                **{c: "rejected" for c in REJECTED}}
_GROUP_VERDICT = {**_SET_VERDICT, "P": "accepted"}


def match_acks(sent: pa.Table, acks: pa.Table, *, settings: Mapping[str, FinanceSettings],
               as_of: datetime, interchanges: pa.Table | None = None) -> tuple[pa.Table, list[Finding]]:
    """DOCUMENT_STATUS for every row of ``sent`` (SENT_SETS) given the partners' ``acks``
    (FUNCTIONAL_ACKS, TA1s included), as of the run clock ``as_of``; and the findings about the
    acknowledgments. ``interchanges``: (partner, isa13) of our other interchanges a TA1 may answer
    (those holding only our 997s), beside the ones of ``sent``."""
    sent = sent.select(SENT_SETS.names).cast(SENT_SETS)
    acks = acks.select(FUNCTIONAL_ACKS.names).cast(FUNCTIONAL_ACKS)
    windows = settings_for(settings, sorted(set(sent["partner"].to_pylist())))
    candidates = _candidates(sent, acks)
    chosen, findings = _choose(candidates, acks)
    table = _verdicts(sent, acks, chosen, windows, as_of)
    findings.extend(_unmatched(sent, acks, interchanges))
    return table, findings



def with_answered_recorded(sent: pa.Table, recorded: pa.Table, acks: pa.Table) -> pa.Table:
    """Our sent sets (``sent``, SENT_SETS) and, after them, the sets other systems of ours sent through EDI
    (``recorded``: engine.finance_inputs.recorded_sets) that a partner's acknowledgment in ``acks`` answers
    (answered_recorded): what intake's FA_UNMATCHED and the reconciliation's verdicts match answers against."""
    if not recorded.num_rows:
        return sent
    answered = answered_recorded(recorded, sent, acks)
    return pa.concat_tables([sent, answered.cast(sent.schema)]) if answered.num_rows else sent


def answered_recorded(recorded: pa.Table, sent: pa.Table, acks: pa.Table) -> pa.Table:
    """The rows of ``recorded`` (SENT_SETS of the documents other systems of ours sent through EDI, `orderbridge
    record`: engine.finance_inputs.recorded_sets) a partner's acknowledgment (``acks``, FUNCTIONAL_ACKS) answers:
    a 997/999/824 naming its group (partner, GS01, GS06) or a TA1 naming its interchange; those that are no set
    of ours (``sent``: the same key, a file of ours recorded as well) only. They are matched like ours
    (match_acks), so a corrected 810 the partner accepts reads accepted; a recorded set no answer names is left
    out, never pending nor overdue: whether that system's partner answers it is not ours to know."""
    if not recorded.num_rows or not acks.num_rows:
        return recorded.slice(0, 0)
    acks = acks.select(FUNCTIONAL_ACKS.names).cast(FUNCTIONAL_ACKS)
    keys, ta1 = _ack_keys(acks)

    def joined(*columns) -> pa.Array:
        return pc.binary_join_element_wise(*[pc.fill_null(c, "") for c in columns], "\x1f")

    groups = joined(keys["partner"], keys["functional_id"], keys["gs06"])
    mine = joined(recorded["partner"], recorded["functional_id"], control_key(recorded["gs06"]))
    named = pc.is_in(mine, value_set=groups)
    if ta1.num_rows:
        named = pc.or_(named, pc.is_in(joined(recorded["partner"], control_key(recorded["isa13"])),
                                       value_set=joined(ta1["partner"], ta1["isa13"])))
    ours = _sent_keys(sent.select(SENT_SETS.names).cast(SENT_SETS)) if sent.num_rows else None
    if ours is not None:
        theirs = _sent_keys(recorded)
        named = pc.and_(named, pc.invert(pc.is_in(
            joined(*(theirs[c] for c in _KEY)), value_set=joined(*(ours[c] for c in _KEY)))))
    return recorded.filter(pc.fill_null(named, False))


def file_findings(sent: pa.Table, earlier: pa.Table, received: pa.Table, *, settings: Mapping[str, FinanceSettings],
                  as_of: datetime, interchanges: pa.Table | None = None) -> list[Finding]:
    """The findings about one received file's acknowledgments (``received``, FUNCTIONAL_ACKS) given
    what we sent and every acknowledgment received before (``earlier``): what names nothing we sent
    (FA_UNMATCHED, from this file alone), the documents its 997s/999s reject (FA_DOCUMENT_REJECTED, an
    error: from this file alone) and answers this file gives that contradict earlier ones
    (FA_ACK_CONFLICT, reported once, at the file whose answer now counts)."""
    if not received.num_rows:
        return []
    received = received.select(FUNCTIONAL_ACKS.names).cast(FUNCTIONAL_ACKS)
    earlier = earlier.select(FUNCTIONAL_ACKS.names).cast(FUNCTIONAL_ACKS)
    sent, earlier = answered_here(sent, earlier, received)  # the night's answers, not the partner's whole history
    partners = sorted(set(sent["partner"].to_pylist()) | set(received["partner"].to_pylist()))
    windows = {p: settings[p] for p in partners if p in settings}
    _, alone = match_acks(sent, received, settings=windows, as_of=as_of, interchanges=interchanges)
    now, together = match_acks(sent, pa.concat_tables([earlier, received]), settings=windows, as_of=as_of)
    mine = {(r["source_file"], r["isa13"], r["gs06"], r["st02"]) for r in
            received.select(["source_file", "isa13", "gs06", "st02"]).to_pylist()}
    conflicts = [f for f in together if f.code == "FA_ACK_CONFLICT" and
                 (f.location.file, f.location.isa13, f.location.gs06, f.location.st02) in mine]
    return [f for f in alone if f.code == "FA_UNMATCHED"] + _rejections(now, mine) + conflicts


def answered_here(sent: pa.Table, earlier: pa.Table, received: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Of ``sent`` (SENT_SETS) and ``earlier`` (FUNCTIONAL_ACKS), the rows one received file's acknowledgments
    (``received``) can bear on, in their order: the sets in a group it answers (partner, functional id, GS06) or in
    an interchange its TA1s answer (partner, ISA13), and the earlier answers to those sets' groups and interchanges.
    Acknowledgments match sets by those keys alone (_candidates, _unmatched), so file_findings over these is what
    it is over every set ever sent and every answer ever received, at the cost of the file's sets: a store's history
    grows every night, the file does not (bench/bench_aged_night.py)."""
    keys, ta1 = _ack_keys(received)
    mark = pa.scalar(True)

    def in_keys(table: pa.Table, wanted: pa.Table, names: list[str]) -> pa.Array:
        if not table.num_rows or not wanted.num_rows:
            return pa.repeat(pa.scalar(False), table.num_rows)
        wanted = wanted.select(names).group_by(names, use_threads=False).aggregate([])
        wanted = wanted.append_column("_hit", pa.repeat(mark, wanted.num_rows))
        rows = table.select(names).append_column("_row", pa.array(range(table.num_rows), pa.int64()))
        hit = rows.join(wanted, names, join_type="inner", use_threads=False)["_row"]
        return pc.is_in(pa.array(range(table.num_rows), pa.int64()), value_set=hit.combine_chunks())

    ours = _sent_keys(sent).append_column("isa13", control_key(sent["isa13"])) if sent.num_rows else None
    if ours is not None:
        sent = sent.filter(pc.or_(in_keys(ours, keys, _GROUP_KEY), in_keys(ours, ta1, ["partner", "isa13"])))
        ours = _sent_keys(sent).append_column("isa13", control_key(sent["isa13"]))
        groups = pa.concat_tables([keys.select(_GROUP_KEY), ours.select(_GROUP_KEY)])
        interchanges = pa.concat_tables([ta1.select(["partner", "isa13"]), ours.select(["partner", "isa13"])])
    else:
        groups, interchanges = keys.select(_GROUP_KEY), ta1.select(["partner", "isa13"])
    if earlier.num_rows:
        before, before_ta1 = _ack_keys(earlier)
        rows = pa.concat_arrays([
            before.filter(in_keys(before, groups, _GROUP_KEY))["_ack_row"].combine_chunks(),
            before_ta1.filter(in_keys(before_ta1, interchanges, ["partner", "isa13"]))["_ack_row"].combine_chunks()])
        earlier = earlier.filter(pc.is_in(pa.array(range(earlier.num_rows), pa.int64()), value_set=rows))
    return sent, earlier


def _rejections(status: pa.Table, mine: set) -> list[Finding]:
    """FA_DOCUMENT_REJECTED (error) for each document of ours whose answer that counts (DOCUMENT_STATUS ``status``)
    is a rejection by one of this file's 997s/999s (``mine``: its (file, ISA13, GS06, ST02)), naming it and the
    partner's reasons: a 997 AK5 R told ops nothing at intake while a TA1 R (FA_INTERCHANGE_REJECTED) and an 824
    rejection (APPLICATION_ADVICE_REJECTED) did; the three are one severity now (schemas.codes_finance
    .PARTNER_VERDICTS). A TA1's or an 824's rejection is told by its own code; a rejection an answer the partner
    wrote later overrides is not told (FA_ACK_CONFLICT says they disagree)."""
    out = []
    rejected = pc.and_(pc.equal(status["status"], "rejected"), pc.is_in(status["ack_type"], pa.array(["997", "999"])))
    for r in status.filter(pc.fill_null(rejected, False)).to_pylist():
        if (r["ack_file"], r["ack_isa13"], r["ack_gs06"], r["ack_st02"]) not in mine:
            continue
        out.append(finding(
            "FA_DOCUMENT_REJECTED",
            f"{r['partner']}'s {r['ack_type']} rejected our {_named_document(r)}: {r['reasons'] or 'no reason given'}."
            " Sent again as it was, it would be rejected again: see this code's hint for what to do.",
            file=r["ack_file"], isa13=r["ack_isa13"], gs06=r["ack_gs06"], st02=r["ack_st02"], seg="AK2",
            value=r["st02"]))
    return out


TA1_CODES = ("FA_INTERCHANGE_REJECTED", "FA_INTERCHANGE_NOTED")


def names_interchanges(findings: list[Finding]) -> bool:
    """Whether any of ``findings`` is a TA1's naming one of our interchanges (TA1_CODES with its TA101): what
    name_interchanges reads the partner's sent sets for (none: nothing to read)."""
    return any(f.code in TA1_CODES and f.location.value for f in findings)


def with_our_997s(sent: pa.Table, ours: pa.Table) -> pa.Table:
    """The sets a partner's TA1 may answer, as name_interchanges reads them: ``sent`` (SENT_SETS: the sets its
    997/999 acknowledge) then our own 997s to it (``ours``: the sent rows of set 997, with partner, set_id,
    isa13, gs06, st02, sent_at and file), each a SENT_SETS row of functional id FA naming no PO or document: a
    TA1 may refuse an interchange of our 997s too."""
    n = ours.num_rows
    acks = pa.table({"partner": ours["partner"], "doc_type": ours["set_id"], "functional_id": pa.repeat("FA", n),
                     "isa13": ours["isa13"], "gs06": ours["gs06"], "st02": ours["st02"], "sent_at": ours["sent_at"],
                     "file": ours["file"], "po_number": pa.nulls(n, pa.string()),
                     "document_ref": pa.nulls(n, pa.string())}).cast(sent.schema)
    return pa.concat_tables([sent, acks])


def name_interchanges(findings: list[Finding], sent: pa.Table) -> list[Finding]:
    """``findings`` with each TA1 finding (TA1_CODES: parsers.functional_acks tells TA104 R and E, knowing
    nothing of what we sent) naming the documents we sent in the interchange its TA101 names (``sent``:
    SENT_SETS of the partner whose file it is): "It held our 856 HD-SHP-83 for PO HD8300401 (GS06 3 ST02
    0003, file ...)", so ops see which answer, shipment notice or invoice the partner refused without
    looking the interchange number up. A TA1 naming nothing we sent is told as it was (FA_UNMATCHED says so)."""
    named = [f.location.value for f in findings if f.code in TA1_CODES and f.location.value]
    if not sent.num_rows or not named:
        return findings
    keys = control_key(sent["isa13"])
    mine = pc.is_in(keys, value_set=control_key(pa.array(named, pa.string())))  # a history's few rows, not all
    held: dict[str, list[dict]] = {}
    for key, row in zip(keys.filter(mine).to_pylist(), sent.filter(mine).to_pylist(), strict=True):
        held.setdefault(key, []).append(row)
    out = []
    for f in findings:
        docs = held.get(control_key(pa.array([f.location.value], pa.string()))[0].as_py()) \
            if f.code in TA1_CODES and f.location.value else None
        if docs:
            named = [_named_document(r) for r in docs[:_NAMED]]
            more = f" and {len(docs) - _NAMED} more" if len(docs) > _NAMED else ""
            f = replace(f, message=f"{f.message} It held our {', our '.join(named)}{more}.")
        out.append(f)
    return out


_NAMED = 10  # documents a TA1's finding names; the rest counted


def _named_document(r: dict) -> str:
    """ "856 HD-SHP-83 for PO HD8300401 (GS06 3 ST02 0003, file homedepot-856-000000003.x12)"."""
    ref = f" {r['document_ref']}" if r["document_ref"] else ""
    po = f" for PO {r['po_number']}" if r["po_number"] and r["po_number"] != r["document_ref"] else ""
    return f"{r['doc_type']}{ref}{po} (GS06 {r['gs06']} ST02 {r['st02']}, file {r['file']})"


def control_key(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A control number as a join key: all-digit values by their numeric value (GS06 is numeric, so
    000000042 and 42 name one group; a partner echoing ST02 0042 as 42 still names our set), others
    as they are."""
    values = pc.utf8_trim_whitespace(values)
    digits = pc.fill_null(pc.utf8_is_digit(values), False)
    trimmed = pc.utf8_ltrim(values, "0")
    numeric = pc.if_else(pc.equal(trimmed, ""), pa.scalar("0"), trimmed)
    return pc.if_else(digits, numeric, values)


def _sent_keys(sent: pa.Table) -> pa.Table:
    return pa.table({"partner": sent["partner"], "functional_id": sent["functional_id"],
                     "gs06": control_key(sent["gs06"]), "st02": control_key(sent["st02"])})


def _ack_keys(acks: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The acknowledgment rows as join keys, with their row index and acknowledged-at time: the
    997/999 rows answering our documents (not those acknowledging our 997s, AK101 FA), and the TA1 rows."""
    acked_at = pc.coalesce(acks["received_at"], acks["ack_created_at"])
    keys = pa.table({
        "partner": acks["partner"],
        "functional_id": acks["acked_functional_id"],
        "gs06": control_key(acks["acked_gs06"]),
        "st02": control_key(acks["acked_st02"]),
        "ack_ref": acks["ack_ref"],
        "set_status": acks["set_status"],
        "group_status": acks["group_status"],
        "interchange_status": acks["interchange_status"],
        "sets_included": acks["sets_included"],
        "sets_received": acks["sets_received"],
        "sets_accepted": acks["sets_accepted"],
        "acked_at": acked_at,
        "_ack_row": pa.array(range(acks.num_rows), pa.int64()),
    })
    ta1 = pc.fill_null(pc.equal(acks["ack_type"], "TA1"), False)
    of_997s = pc.fill_null(pc.equal(acks["acked_functional_id"], "FA"), False)
    aside = pc.or_(ta1, of_997s)
    if not pc.any(aside).as_py():  # the usual case: 997/999s for our documents only, no copy
        return keys, keys.slice(0, 0).append_column("isa13", pa.array([], pa.string()))
    interchange = keys.filter(ta1)
    interchange = interchange.append_column("isa13", control_key(acks["acked_isa13"].filter(ta1)))
    return keys.filter(pc.invert(aside)), interchange


def _map(values: pa.ChunkedArray | pa.Array, mapping: dict[str, str]) -> pa.Array:
    keys = pa.array(list(mapping), pa.string())
    idx = pc.index_in(values, value_set=keys)
    return pc.take(pa.array(list(mapping.values()), pa.string()), idx)


def _candidates(sent: pa.Table, acks: pa.Table) -> pa.Table:
    """(sent row, ack row, verdict, acked_at, _ta1, _group: answered by its group's AK9, the ack row being
    the 997's first, another set's) for every answer a sent set got."""
    keys, ta1 = _ack_keys(acks)
    sent_keys = _sent_keys(sent).append_column("_sent_row", pa.array(range(sent.num_rows), pa.int64()))
    empty = pa.table({"_sent_row": pa.array([], pa.int64()), "_ack_row": pa.array([], pa.int64()),
                      "verdict": pa.array([], pa.string()), "acked_at": pa.array([], TIME),
                      "_ta1": pa.array([], pa.bool_()), "_group": pa.array([], pa.bool_())})
    if not sent.num_rows:
        return empty
    by_ta1 = _ta1_rejections(sent, ta1).cast(empty.schema)
    if not keys.num_rows:
        return by_ta1
    # set answers: the AK2 names the set
    set_rows = keys.filter(pc.is_valid(keys["st02"]))
    verdict = _map(set_rows["set_status"], _SET_VERDICT)
    group_rejects = pc.fill_null(pc.is_in(set_rows["group_status"], value_set=pa.array(sorted(REJECTED))), False)
    # a group rejected as a whole rejects every set it lists, one without its AK5 (or with a code X12 does not
    # have) too; a set listed without a readable AK5 in a group accepted (AK9 A, E) is what the group says: the
    # AK9 decides them (they stayed unanswered, overdue, "no 997 for our 856"); under P nothing tells which
    by_group = _map(set_rows["group_status"], _SET_VERDICT)
    # an AK5 whose code X12 does not have (AK501 P, "partially accepted", which some translators write) said something
    # other than a plain acceptance: under an AK9 A it reads accepted with errors, never a silent "accepted"
    unknown = pc.and_(pc.is_valid(set_rows["set_status"]), pc.is_null(verdict))
    by_group = pc.if_else(pc.and_(unknown, pc.fill_null(pc.equal(by_group, "accepted"), False)),
                          pa.scalar("accepted_with_errors"), by_group)
    verdict = pc.if_else(group_rejects, pa.scalar("rejected"), pc.coalesce(verdict, by_group))
    set_rows = set_rows.append_column("verdict", verdict).filter(pc.is_valid(verdict))
    by_set = sent_keys.join(set_rows.select([*_KEY, "_ack_row", "verdict", "acked_at"]), _KEY, join_type="inner")
    # group answers: every acknowledgment of the group (one per ack_ref) for the sets it lists no AK2 for
    listed_rejected = pc.fill_null(pc.is_in(keys["set_status"], value_set=pa.array(sorted(REJECTED))), False)
    groups = keys.append_column("_rejected", pc.cast(listed_rejected, pa.int64())).group_by(
        [*_GROUP_KEY, "ack_ref"], use_threads=False).aggregate(
        [("_ack_row", "min"), ("group_status", "first"), ("acked_at", "first"), ("sets_included", "first"),
         ("sets_received", "first"), ("sets_accepted", "first"), ("_rejected", "sum"), ("st02", "count_distinct")])
    groups = groups.rename_columns([c.replace("_min", "").replace("_first", "").replace("_sum", "")
                                    for c in groups.column_names])
    gverdict = _map(groups["group_status"], _GROUP_VERDICT)
    # AK901 P: the sets not listed are the accepted ones only when the 997 names every set it rejected (AK903 -
    # AK904 of them, at least one, listed with AK5 R); else which were rejected is not said, and they stay
    # unanswered (they read accepted: a group partially rejected read wholly accepted)
    # (parsers.functional_acks.partial_unnamed, column by column: a history holds many groups)
    counted = pc.coalesce(pc.cast(groups["sets_received"], pa.int64()), pc.cast(groups["sets_included"], pa.int64()))
    rejected = pc.fill_null(pc.subtract(counted, pc.cast(groups["sets_accepted"], pa.int64())), 0)
    unnamed = pc.and_(pc.fill_null(pc.equal(groups["group_status"], "P"), False),
                      pc.greater(pc.max_element_wise(rejected, pa.scalar(1, pa.int64())), groups["_rejected"]))
    gverdict = pc.if_else(unnamed, pa.scalar(None, pa.string()), gverdict)
    # AK901 E over AK2s for some sets only (a translator listing the sets it noted errors in): the errors
    # are those sets'; the sets it leaves out were accepted as they were, as under P
    lists_some = pc.greater(groups["st02_count_distinct"], 0)
    gverdict = pc.if_else(pc.and_(pc.fill_null(pc.equal(groups["group_status"], "E"), False), lists_some),
                          pa.scalar("accepted"), gverdict)
    # an acknowledgment that lists as many sets (an AK2 listed twice counts once) as its AK902 counts sets
    # answered for all it received
    complete = pc.fill_null(pc.greater_equal(groups["st02_count_distinct"], groups["sets_included"]), False)
    groups = groups.append_column("verdict", gverdict).filter(pc.and_(pc.is_valid(gverdict), pc.invert(complete)))
    by_group = sent_keys.join(groups.select([*_GROUP_KEY, "ack_ref", "_ack_row", "verdict", "acked_at"]),
                              _GROUP_KEY, join_type="inner")
    listed = keys.filter(pc.is_valid(keys["st02"])).select([*_KEY, "ack_ref"])
    listed = listed.append_column("_listed", pa.array([True] * listed.num_rows, pa.bool_()))
    by_group = by_group.join(listed, [*_KEY, "ack_ref"], join_type="left outer")
    by_group = by_group.filter(pc.is_null(by_group["_listed"])).drop_columns(["_listed", "ack_ref"])
    cols = ["_sent_row", "_ack_row", "verdict", "acked_at"]
    answers = [t.select(cols).append_column("_ta1", pa.repeat(pa.scalar(False), t.num_rows)).append_column(
        "_group", pa.repeat(pa.scalar(whole), t.num_rows)).cast(empty.schema)
        for t, whole in ((by_set, False), (by_group, True))]
    return pa.concat_tables([*answers, by_ta1])


def _ta1_rejections(sent: pa.Table, ta1: pa.Table) -> pa.Table:
    """(sent row, ack row, "rejected", acked_at, True) for every set we sent in an interchange a TA1 R names."""
    rejects = ta1.filter(pc.fill_null(pc.equal(ta1["interchange_status"], "R"), False))
    if rejects.num_rows:
        ours = pa.table({"partner": sent["partner"], "isa13": control_key(sent["isa13"]),
                         "_sent_row": pa.array(range(sent.num_rows), pa.int64())})
        hit = ours.join(rejects.select(["partner", "isa13", "_ack_row", "acked_at"]), ["partner", "isa13"],
                        join_type="inner")
    else:
        hit = pa.table({"_sent_row": pa.array([], pa.int64()), "_ack_row": pa.array([], pa.int64()),
                        "acked_at": pa.array([], TIME)})
    n = hit.num_rows
    return pa.table({"_sent_row": hit["_sent_row"], "_ack_row": hit["_ack_row"],
                     "verdict": pa.repeat(pa.scalar("rejected"), n), "acked_at": hit["acked_at"],
                     "_ta1": pa.repeat(pa.scalar(True), n), "_group": pa.repeat(pa.scalar(False), n)})


def _latest(candidates: pa.Table, *, ta1_first: bool, written: bool = True) -> pa.Table:
    """The first candidate per sent set: a TA1 rejection first when ``ta1_first``, then the latest
    (acked_at; answers picked up together, ``written``: the one the partner wrote last, its GS04/GS05 or
    ISA09/ISA10, ``_created``; then acknowledgment row order, the order they arrived in)."""
    # nulls last when descending: sort a "has time" flag first
    order = [("_sent_row", "ascending"), ("_has_time", "descending"), ("acked_at", "descending"),
             *([("_has_created", "descending"), ("_created", "descending")] if written else []),
             ("_ack_row", "descending")]
    ordered = candidates.append_column("_has_time", pc.is_valid(candidates["acked_at"])).append_column(
        "_has_created", pc.is_valid(candidates["_created"])).sort_by(
        order[:1] + [("_ta1", "descending")] + order[1:] if ta1_first else order)
    return _firsts(ordered).drop_columns(["_has_time", "_has_created"])


def _firsts(ordered: pa.Table) -> pa.Table:
    """The first row of each sent set (``_sent_row``) of a table sorted by it."""
    sent_rows = ordered["_sent_row"].to_numpy()
    first = pa.array([True] + (sent_rows[1:] != sent_rows[:-1]).tolist(), pa.bool_())
    return ordered.filter(first)


_SEVERITY = {"accepted": 0, "accepted_with_errors": 1, "rejected": 2}


def _advised(candidates: pa.Table, acks: pa.Table) -> pa.Table:
    """The 824 answer that counts per sent set: of the latest 824 set naming it, its worst verdict (an 824
    may judge one document in several OTIs: TR for a missing SSCC and TE for a carrier code, or TR for the
    set and IA for one of its items; the rejection stands whichever OTI comes last), with the reasons of
    the set's other OTIs in that 824 that note something after its own (``_also``)."""
    refs = pc.binary_join_element_wise(pc.take(acks["source_file"], candidates["_ack_row"]),
                                       pc.take(acks["ack_ref"], candidates["_ack_row"]), "\x1f")
    candidates = candidates.append_column("_ref", refs)
    latest = _latest(candidates, ta1_first=False).select(["_sent_row", "_ref"])
    same = candidates.join(latest, ["_sent_row", "_ref"], join_type="inner", use_threads=False)
    rank = pc.take(pa.array(list(_SEVERITY.values()), pa.int8()),
                   pc.index_in(same["verdict"], value_set=pa.array(list(_SEVERITY), pa.string())))
    same = same.append_column("_rank", rank).sort_by([("_sent_row", "ascending"), ("_rank", "descending"),
                                                      ("_ack_row", "descending")])
    reasons = pc.take(acks["reasons"], same["_ack_row"]).to_pylist()
    told: dict[int, list[str]] = {}
    for sent_row, text, noted in zip(same["_sent_row"].to_pylist(), reasons, same["_rank"].to_pylist(), strict=True):
        said = told.setdefault(sent_row, [])
        if text and text not in said and (noted or not said):  # what else it noted; not an item's "accepted"
            said.append(text)
    chosen = _firsts(same)
    also = [" Also: ".join(told[r][1:]) or None for r in chosen["_sent_row"].to_pylist()]
    return chosen.drop_columns(["_ref", "_rank"]).append_column("_also", pa.array(also, pa.string()))


def _choose(candidates: pa.Table, acks: pa.Table) -> tuple[pa.Table, list[Finding]]:
    """The answer that counts per sent set: the latest 824 (the partner's application, whose verdict
    follows and outranks its translator's 997; never a conflict with it), else a TA1 rejecting its
    interchange, else the latest; conflicts as findings, at the latest answer (the file that brought the
    disagreement)."""
    if "_created" not in candidates.column_names:
        candidates = candidates.append_column("_created", pc.take(acks["ack_created_at"], candidates["_ack_row"]))
    if not candidates.num_rows:
        return candidates.drop_columns(["_ta1", "_created"]).append_column("_also", pa.array([], pa.string())), []
    app = pc.fill_null(pc.equal(pc.take(acks["ack_type"], candidates["_ack_row"]), "824"), False)
    if pc.any(app).as_py():
        advised = _advised(candidates.filter(app), acks).drop_columns(["_ta1", "_created"])
        chosen, findings = _choose(candidates.filter(pc.invert(app)), acks)
        chosen = chosen.filter(pc.invert(pc.is_in(chosen["_sent_row"], value_set=advised["_sent_row"])))
        return pa.concat_tables([chosen, advised.cast(chosen.schema)]), findings
    chosen = _latest(candidates, ta1_first=pc.any(candidates["_ta1"]).as_py() is True)
    counts = candidates.group_by("_sent_row", use_threads=False).aggregate([("verdict", "count_distinct")])
    conflicted = counts.filter(pc.greater(counts["verdict_count_distinct"], 1))["_sent_row"]
    findings: list[Finding] = []
    if len(conflicted):
        mine = candidates.filter(pc.is_in(candidates["_sent_row"], value_set=conflicted))
        # told at the answer that came last (arrival order: the file that brought the disagreement)
        latest = {r["_sent_row"]: r["_ack_row"] for r in _latest(mine, ta1_first=False, written=False).to_pylist()}
        named = {r["_sent_row"]: r["_ack_row"] for r in _latest(mine.filter(pc.invert(mine["_ta1"])),
                                                                 ta1_first=False, written=False).to_pylist()}
        for row in chosen.filter(pc.is_in(chosen["_sent_row"], value_set=conflicted)).to_pylist():
            at = acks.slice(latest[row["_sent_row"]], 1).to_pylist()[0]
            ack = acks.slice(named[row["_sent_row"]], 1).to_pylist()[0]  # a 997/999: it names the set
            verdicts = sorted(set(mine.filter(pc.equal(mine["_sent_row"], row["_sent_row"]))["verdict"].to_pylist()))
            won = acks.slice(row["_ack_row"], 1).to_pylist()[0]
            counts_text = (f"the TA1 rejecting interchange {won['acked_isa13']} counts (an interchange rejected "
                           "was not processed)" if row["_ta1"] else f"the latest, {row['verdict']}, counts")
            findings.append(finding(
                "FA_ACK_CONFLICT",
                f"Acknowledgments of {ack['acked_set_id'] or ack['acked_functional_id']} GS06 {ack['acked_gs06']}"
                f" ST02 {ack['acked_st02'] or '(group)'} disagree ({', '.join(verdicts)}); {counts_text}.",
                file=at["source_file"], isa13=at["isa13"], gs06=at["gs06"], st02=at["st02"],
                seg="TA1" if at["ack_type"] == "TA1" else "AK2" if at["acked_st02"] else "AK1",
                segment_position=at["segment_position"], file_segment=at["file_segment"]))
    chosen = chosen.drop_columns(["_ta1", "_created"])
    return chosen.append_column("_also", pa.nulls(chosen.num_rows, pa.string())), findings


def _verdicts(sent: pa.Table, acks: pa.Table, chosen: pa.Table, windows: dict[str, FinanceSettings],
              as_of: datetime) -> pa.Table:
    n = sent.num_rows
    at = np.full(n, -1, np.int64)  # each sent set's chosen answer (one per set at most), -1: none
    if chosen.num_rows:
        at[chosen["_sent_row"].to_numpy()] = np.arange(chosen.num_rows)
    pick = pa.array(at, pa.int64(), mask=at < 0)
    ack_row = pc.take(chosen["_ack_row"], pick) if chosen.num_rows else pa.nulls(n, pa.int64())
    verdict = pc.take(chosen["verdict"], pick) if chosen.num_rows else pa.nulls(n, pa.string())
    acked_at = pc.take(chosen["acked_at"], pick) if chosen.num_rows else pa.nulls(n, TIME)
    partners = pc.unique(sent["partner"])  # each partner's window looked up once
    hours = pc.take(pa.array([windows[p].ack_997_hours for p in partners.to_pylist()], pa.int64()),
                    pc.index_in(sent["partner"], value_set=partners))
    due_at = pc.add(sent["sent_at"], pc.cast(pc.multiply(hours, 3600), pa.duration("s")))
    overdue = pc.greater(pa.scalar(as_of.replace(microsecond=0), TIME), due_at)
    expected = pc.take(pa.array([windows[p].expects_997 for p in partners.to_pylist()], pa.bool_()),
                       pc.index_in(sent["partner"], value_set=partners))
    waiting = pc.if_else(overdue, pa.scalar("overdue"), pa.scalar("pending"))
    status = pc.coalesce(verdict, pc.if_else(expected, waiting, pa.scalar("not_expected")))
    picked = acks.take(ack_row) if n else acks.slice(0, 0)
    by_group = pc.fill_null(pc.take(chosen["_group"], pick), False) if chosen.num_rows else pa.nulls(n, pa.bool_())
    # an 824's group-level OTI (GA GE GR) answers the group in its own words (its TED and NTE texts), not an AK9's
    by_group = pc.and_(pc.fill_null(by_group, False), pc.fill_null(pc.not_equal(picked["ack_type"], "824"), True))
    set_status, errors, reasons = _group_answers(picked, by_group)
    if chosen.num_rows and pc.any(pc.is_valid(chosen["_also"])).as_py():  # an 824's other OTIs on the set
        also = pc.take(chosen["_also"], pick)
        reasons = pc.if_else(pc.is_valid(also), pc.binary_join_element_wise(reasons, also, ". Also: "), reasons)
    if pc.any(pc.fill_null(pc.equal(acks["group_status"], "P"), False)).as_py():
        reasons = _undecided(sent, acks, verdict, reasons)
    answered_at, timed_by = _answered_at(picked, sent["sent_at"], as_of)
    minutes = pc.divide(pc.cast(pc.subtract(answered_at, sent["sent_at"]), pa.int64()), 60)
    late = pc.greater(answered_at, due_at)
    table = pa.table({
        **{c: sent[c] for c in ("partner", "doc_type", "functional_id", "isa13", "gs06", "st02", "sent_at", "file",
                                "po_number", "document_ref")},
        "status": status,
        "due_at": due_at,
        "ack_type": picked["ack_type"],
        "set_status": set_status,
        "group_status": picked["group_status"],
        "acked_at": acked_at,
        "minutes_to_ack": minutes,
        "ack_late": late,
        "ack_timed_by": timed_by,
        "reasons": reasons,
        "errors": errors,
        "ack_file": picked["source_file"],
        "ack_isa13": picked["isa13"],
        "ack_gs06": picked["gs06"],
        "ack_st02": picked["st02"],
    }).cast(DOCUMENT_STATUS)
    return table.sort_by([("partner", "ascending"), ("sent_at", "ascending"), ("isa13", "ascending"),
                          ("gs06", "ascending"), ("st02", "ascending")])


def _undecided(sent: pa.Table, acks: pa.Table, verdict: pa.Array, reasons: pa.Array) -> pa.Array:
    """``reasons`` with the words of each set left unanswered (``verdict`` null) by a 997/999 that answered its group
    AK9 P without naming every set it rejected (parsers.functional_acks.partial_unnamed), or listed it with no
    readable AK5: it stays pending (then overdue), and says which answer left it undecided rather than nothing (an
    overdue set's DOCUMENT_UNACKNOWLEDGED then says why). The latest such answer of its group is named."""
    partial = pc.and_(pc.fill_null(pc.equal(acks["group_status"], "P"), False),
                      pc.invert(pc.fill_null(pc.equal(acks["acked_functional_id"], "FA"), False)))
    rows = pc.indices_nonzero(partial)
    keys = pa.table({"partner": pc.take(acks["partner"], rows),
                     "functional_id": pc.take(acks["acked_functional_id"], rows),
                     "gs06": control_key(pc.take(acks["acked_gs06"], rows)), "_ack_row": rows})
    keys = keys.group_by(_GROUP_KEY, use_threads=False).aggregate([("_ack_row", "max")])
    open_rows = _sent_keys(sent).append_column("_sent_row", pa.array(range(sent.num_rows), pa.int64())).filter(
        pc.is_null(verdict))
    hit = open_rows.join(keys, _GROUP_KEY, join_type="inner", use_threads=False)
    if not hit.num_rows:
        return reasons
    words = [None] * sent.num_rows
    for sent_row, ack_row in zip(hit["_sent_row"].to_pylist(), hit["_ack_row_max"].to_pylist(), strict=True):
        a = acks.slice(ack_row, 1).to_pylist()[0]
        counts = "/".join("?" if a[c] is None else str(a[c]) for c in ("sets_included", "sets_received",
                                                                         "sets_accepted"))
        words[sent_row] = (f"not decided: the partner's {a['ack_type']} ({a['source_file']}) answered its group AK9 P "
                           f"(partially accepted; sets included/received/accepted {counts}) without saying whether "
                           "this set was rejected")
    return pc.coalesce(reasons, pa.array(words, pa.string()))


CLOCK_SKEW = timedelta(minutes=15)  # a partner's clock ahead of ours by this much is still believed


def _answered_at(picked: pa.Table, sent_at: pa.ChunkedArray, as_of: datetime) -> tuple[pa.Array, pa.Array]:
    """When each chosen answer was written, for its lateness (minutes_to_ack, ack_late, "partner 997 within
    window"), and by what (``ack_timed_by``): the partner's own date and time (ack_created_at: a 997's GS04/GS05,
    else its ISA09/ISA10; a TA1's ISA09/ISA10; an 824's) where it is sane, "written"; else when we picked the
    answer up (received_at), "picked_up". Sane: not before our document was sent, not after we picked it up
    (else the run clock) by more than CLOCK_SKEW. A 997 written at 16:05 and picked up at 02:00 the next night
    was answered in 1 h 35 min, not 11 h 30 min (it used to be measured at the pick-up, and a partner answering
    on time read late when our run came long after)."""
    created, received = picked["ack_created_at"], picked["received_at"]
    limit = pc.add(pc.coalesce(received, pa.scalar(as_of.replace(microsecond=0), TIME)),
                   pa.scalar(CLOCK_SKEW, pa.duration("s")))
    sane = pc.fill_null(pc.and_(pc.greater_equal(created, sent_at), pc.less_equal(created, limit)), False)
    answered = pc.if_else(sane, created, pc.coalesce(received, created))
    by = pc.if_else(sane, pa.scalar("written"), pc.if_else(pc.is_valid(received), pa.scalar("picked_up"),
                                                             pa.scalar(None, pa.string())))
    return answered, by


def _group_answers(picked: pa.Table, by_group: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(set_status, errors, reasons) of each sent set's chosen answer: a set its group's AK9 answered (a
    997 listing other sets only) has no set status nor notes of its own, and its reasons are the group's
    (they were the first listed set's: "set rejected ..." on a set the AK9 P accepted)."""
    if not pc.any(by_group).as_py():
        return picked["set_status"], picked["errors"], picked["reasons"]
    words = [f"not listed; by the group's AK9: {describe(r, r['ack_version'] or '')}" if whole else None
             for r, whole in zip(picked.select(["group_status", "group_error_codes", "ack_version"]).to_pylist(),
                                 by_group.to_pylist(), strict=True)]
    return (pc.if_else(by_group, pa.scalar(None, pa.string()), picked["set_status"]),
            pc.if_else(by_group, pa.scalar([], picked.schema.field("errors").type), picked["errors"]),
            pc.if_else(by_group, pa.array(words, pa.string()), picked["reasons"]))


def _unmatched(sent: pa.Table, acks: pa.Table, interchanges: pa.Table | None) -> list[Finding]:
    keys, ta1 = _ack_keys(acks)
    findings = _unmatched_ta1(sent, acks, ta1, interchanges)
    if not keys.num_rows:
        return findings
    marker = pa.array([True] * sent.num_rows, pa.bool_())
    sent_sets = _sent_keys(sent).append_column("_known", marker)
    sent_groups = _sent_keys(sent).select(_GROUP_KEY).append_column("_known", marker).group_by(_GROUP_KEY).aggregate(
        [("_known", "all")]).rename_columns([*_GROUP_KEY, "_known"])
    set_rows = keys.filter(pc.is_valid(keys["st02"])).join(sent_sets, _KEY, join_type="left outer")
    group_rows = keys.filter(pc.is_null(keys["st02"])).drop_columns(["st02"]).join(
        sent_groups, _GROUP_KEY, join_type="left outer")
    rows = sorted(pa.concat_arrays([
        set_rows.filter(pc.is_null(set_rows["_known"]))["_ack_row"].combine_chunks(),
        group_rows.filter(pc.is_null(group_rows["_known"]))["_ack_row"].combine_chunks(),
    ]).to_pylist())
    for r in rows:
        a = acks.slice(r, 1).to_pylist()[0]
        what = (f"set {a['acked_set_id']} ST02 {a['acked_st02']} in group {a['acked_functional_id']} GS06 "
                f"{a['acked_gs06']}" if a["acked_st02"] else
                f"group {a['acked_functional_id']} GS06 {a['acked_gs06']}")
        findings.append(finding(
            "FA_UNMATCHED", f"This {a['ack_type']} acknowledges {what}, which we never sent to {a['partner']}.",
            file=a["source_file"], isa13=a["isa13"], gs06=a["gs06"], st02=a["st02"],
            seg="AK2" if a["acked_st02"] else "AK1", segment_position=a["segment_position"],
            file_segment=a["file_segment"], value=a["acked_st02"] or a["acked_gs06"]))
    return findings


def _unmatched_ta1(sent: pa.Table, acks: pa.Table, ta1: pa.Table, interchanges: pa.Table | None) -> list[Finding]:
    """FA_UNMATCHED for each TA1 naming no interchange we sent that partner (``sent``'s, ``interchanges``')."""
    if not ta1.num_rows:
        return []
    ours = [sent.select(["partner", "isa13"])]
    if interchanges is not None:
        ours.append(interchanges.select(["partner", "isa13"]).cast(ours[0].schema))
    known = pa.concat_tables(ours)
    known = pa.table({"partner": known["partner"], "isa13": control_key(known["isa13"])}).group_by(
        ["partner", "isa13"], use_threads=False).aggregate([])
    known = known.append_column("_known", pa.repeat(pa.scalar(True), known.num_rows))
    rows = ta1.select(["partner", "isa13", "_ack_row"]).join(known, ["partner", "isa13"], join_type="left outer")
    findings = []
    for r in sorted(rows.filter(pc.is_null(rows["_known"]))["_ack_row"].to_pylist()):
        a = acks.slice(r, 1).to_pylist()[0]
        findings.append(finding(
            "FA_UNMATCHED", f"This TA1 answers interchange {a['acked_isa13']}, which we never sent to {a['partner']}.",
            file=a["source_file"], isa13=a["isa13"], seg="TA1", segment_position=a["segment_position"],
            file_segment=a["file_segment"], element="TA101", value=a["acked_isa13"]))
    return findings
