"""Canonical tables (Arrow schemas) for the 997s and 999s partners send back for our documents:
what they acknowledge (FUNCTIONAL_ACKS), what we sent (SENT_SETS) and the verdict per sent set
(DOCUMENT_STATUS). Definitions only; parsers.functional_acks fills the first, engine.partner_acks
the last. Times are the run clock's (naive timestamps, seconds), as the flows pass it.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.orders import LINEAGE

TIME = pa.timestamp("s")

# One AK3 (IK3) segment note, or one AK4 (IK4) element note with its AK3, in words as well as codes.
ACK_ERROR = pa.struct([
    pa.field("segment_id", pa.string()),  # AK301 / IK301
    pa.field("segment_position", pa.int32()),  # AK302: position in the acknowledged set (ST = 1)
    pa.field("loop_id", pa.string()),  # AK303
    pa.field("segment_error", pa.string()),  # AK304 / IK304 code
    pa.field("element_position", pa.int32()),  # AK401-1 / IK401-1
    pa.field("component_position", pa.int32()),  # AK401-2
    pa.field("repeat_position", pa.int32()),  # AK401-3 (005010+)
    pa.field("element_ref", pa.string()),  # AK402: data element reference number
    pa.field("element_error", pa.string()),  # AK403 / IK403 code
    pa.field("bad_value", pa.string()),  # AK404: copy of the bad data element
    pa.field("reason", pa.string()),  # the note in words
])

# One row per AK2 (set response) loop; a 997/999 whose AK1 group response holds no AK2 gives one row
# for the whole group with the acked_set_id / acked_st02 columns null. A partner's TA1 for one of our
# interchanges is a row too (ack_type "TA1"): acked_isa13, interchange_status and interchange_note set,
# the AK columns null.
# what an acknowledgment says, without where or when it was written (engine.process.ack_content): its type, what it
# answers, its verdict and its notes in words (the AK3/AK4 notes and codes are in ``reasons``)
ACK_CONTENT = ("ack_type", "acked_functional_id", "acked_gs06", "acked_set_id", "acked_st02", "set_status",
               "group_status", "acked_isa13", "interchange_status", "interchange_note", "reasons")

FUNCTIONAL_ACKS = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("ack_type", pa.string(), nullable=False),  # "997" or "999" (ST01 of the acknowledgment), "TA1"
    pa.field("ack_ref", pa.string(), nullable=False),  # ISA13-GS06-ST02 of the acknowledgment
    pa.field("ack_version", pa.string()),  # GS08 of the acknowledgment's group (a TA1: ISA12)
    pa.field("acked_isa13", pa.string()),  # TA101: ISA13 of our interchange a TA1 answers (null for 997/999)
    pa.field("interchange_status", pa.string()),  # TA104: A E R
    pa.field("interchange_note", pa.string()),  # TA105: the interchange note code
    pa.field("acked_functional_id", pa.string()),  # AK101: GS01 of the group acknowledged
    pa.field("acked_gs06", pa.string()),  # AK102: GS06 of the group acknowledged
    pa.field("acked_version", pa.string()),  # AK103 (005010+)
    pa.field("acked_set_id", pa.string()),  # AK201: ST01 of the set acknowledged
    pa.field("acked_st02", pa.string()),  # AK202: ST02 of the set acknowledged
    pa.field("acked_implementation", pa.string()),  # AK203 (005010+)
    pa.field("set_status", pa.string()),  # AK501 / IK501: A E M R W X
    pa.field("set_error_codes", pa.list_(pa.string())),  # AK502..AK506 / IK502..IK506
    pa.field("group_status", pa.string()),  # AK901: A E M P R W X
    pa.field("group_error_codes", pa.list_(pa.string())),  # AK905..AK909
    pa.field("sets_included", pa.int32()),  # AK902
    pa.field("sets_received", pa.int32()),  # AK903
    pa.field("sets_accepted", pa.int32()),  # AK904
    pa.field("errors", pa.list_(ACK_ERROR)),  # the AK3/AK4 (IK3/IK4) notes of this set
    pa.field("reasons", pa.string()),  # set and group status, codes and notes, in words
    pa.field("ack_created_at", TIME),  # GS04/GS05 of the acknowledgment (else ISA09/ISA10)
    pa.field("received_at", TIME),  # when the file reached us (given by the caller; may be null)
    *LINEAGE,
    pa.field("segment_position", pa.int32(), nullable=False),  # AK2 (or AK1) position in the 997 (ST = 1)
    pa.field("file_segment", pa.int32(), nullable=False),  # AK2 (or AK1) ordinal within the file
])

# What we sent: one row per outbound transaction set (855, 856, 810, 865...). Phase 2 fills it from
# the state store's documents.
SENT_SETS = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("doc_type", pa.string(), nullable=False),  # ST01: 855, 856, 810, 865
    pa.field("functional_id", pa.string(), nullable=False),  # GS01: PR, SH, IN, CA
    pa.field("isa13", pa.string(), nullable=False),
    pa.field("gs06", pa.string(), nullable=False),
    pa.field("st02", pa.string(), nullable=False),
    pa.field("sent_at", TIME, nullable=False),
    pa.field("file", pa.string(), nullable=False),  # the outbound file name
    pa.field("po_number", pa.string()),  # the PO the document answers (first PO for multi-PO sets)
    pa.field("document_ref", pa.string()),  # BSN02 shipment id, BIG02 invoice number, BAK03 PO number
])

# not_expected: no answer, from a partner who sends no 997s (FinanceSettings.expects_997 False): never overdue
DOCUMENT_STATUSES = ("accepted", "accepted_with_errors", "rejected", "overdue", "pending", "not_expected")

# The start of the reasons of a set a partner's 824 rejected in part (an item-level OTI IR naming its lines: the rest
# accepted; engine.application_advice): the set reads accepted_with_errors, and the reconciliation books the rejected
# lines (DOCUMENT_REJECTED, saying which and why)
PART_REJECTED = "part rejected: "

# The verdict per sent set (engine.partner_acks.match_acks).
DOCUMENT_STATUS = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("doc_type", pa.string(), nullable=False),
    pa.field("functional_id", pa.string(), nullable=False),
    pa.field("isa13", pa.string(), nullable=False),
    pa.field("gs06", pa.string(), nullable=False),
    pa.field("st02", pa.string(), nullable=False),
    pa.field("sent_at", TIME, nullable=False),
    pa.field("file", pa.string(), nullable=False),
    pa.field("po_number", pa.string()),
    pa.field("document_ref", pa.string()),
    pa.field("status", pa.string(), nullable=False),  # DOCUMENT_STATUSES
    pa.field("due_at", TIME, nullable=False),  # sent_at + the partner's 997 window
    pa.field("ack_type", pa.string()),  # 997 / 999 / TA1 of the acknowledgment that decided it
    pa.field("set_status", pa.string()),  # AK501 (null when only the group answered)
    pa.field("group_status", pa.string()),  # AK901
    pa.field("acked_at", TIME),  # received_at of the acknowledgment, else its GS04/GS05
    pa.field("minutes_to_ack", pa.int64()),  # when the answer was written (ack_timed_by) - sent_at
    pa.field("ack_late", pa.bool_()),  # answered after due_at (by ack_timed_by's time)
    # what minutes_to_ack and ack_late are measured by: "written" (the partner's GS04/GS05, ISA09/ISA10 or 824
    # date, when sane) or "picked_up" (received_at: the partner's time missing, before we sent, or in the future)
    pa.field("ack_timed_by", pa.string()),
    pa.field("reasons", pa.string()),  # in words (rejections: the partner's AK3/AK4 notes)
    pa.field("errors", pa.list_(ACK_ERROR)),
    pa.field("ack_file", pa.string()),
    pa.field("ack_isa13", pa.string()),
    pa.field("ack_gs06", pa.string()),
    pa.field("ack_st02", pa.string()),
])
