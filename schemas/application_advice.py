"""Canonical table (Arrow schema) of the 824 Application Advices partners send about our documents: one
row per OTI loop (APPLICATION_ADVICE). Definitions only; parsers.application_advice fills it,
engine.application_advice matches it to what we sent (SENT_SETS) and turns it into FUNCTIONAL_ACKS rows.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.functional_acks import ACK_ERROR, TIME
from schemas.orders import LINEAGE

APPLICATION_ADVICE = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("advice_ref", pa.string(), nullable=False),  # ISA13-GS06-ST02 of the 824
    pa.field("advice_version", pa.string()),  # GS08 of the 824's group
    pa.field("bgn_reference", pa.string()),  # BGN02: the 824's own reference
    pa.field("code", pa.string()),  # OTI01: TA TE TR TC TP GA GE GR IA IE IR BA BR ...
    pa.field("reference_qualifier", pa.string()),  # OTI02: e.g. BM (bill of lading), SI (shipment id), IV, PO, TN
    pa.field("reference", pa.string()),  # OTI03: the id of our document (BSN02, BIG02, a PO number)
    pa.field("acked_gs06", pa.string()),  # OTI08: GS06 of our group
    pa.field("acked_st02", pa.string()),  # OTI09: ST02 of our set
    pa.field("acked_set_id", pa.string()),  # OTI10: ST01 of our set (856, 810 ...)
    pa.field("errors", pa.list_(ACK_ERROR)),  # its TED segments (TED01 as segment_error, TED02 as reason)
    pa.field("notes", pa.list_(pa.string())),  # its NTE02 texts
    # its RED segments (the related data of a TED: an item's UPC, a PO number): RED01 with RED02's code or RED06
    pa.field("related", pa.list_(pa.string())),
    # its CTX segments (005010+, in the TED loop: where in our document an error is, e.g. the business unit "PO
    # NUMBER" with its value, the segment, its position, the element) in words, as parsers.application_advice says them
    pa.field("context", pa.list_(pa.string())),
    # the lines of our document the OTI names ("LI 2": OTI02/OTI03 or a REF of the OTI loop qualified LI, line item
    # identifier, or FJ, line item control number): an item-level OTI (IA IR ...) judges that line, not the document
    pa.field("lines", pa.list_(pa.string())),
    pa.field("advice_created_at", TIME),  # GS04/GS05 of the 824 (else ISA09/ISA10)
    pa.field("received_at", TIME),
    *LINEAGE,
    pa.field("segment_position", pa.int32(), nullable=False),  # the OTI's position in the 824 (ST = 1)
    pa.field("file_segment", pa.int32(), nullable=False),  # the OTI's ordinal within the file
])

# REF01/OTI02 (element 128) qualifiers naming a line of our document in an item-level OTI (IA IC IE IP IR): LI line
# item identifier (seller's: our PO101/IT101/LIN01, the buyer's line number echoed), FJ line item control number
LINE_QUALIFIERS = frozenset({"LI", "FJ"})
