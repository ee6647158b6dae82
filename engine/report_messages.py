"""The "messages from partners" section of a run's failures page: each 864 Text Message the run took in
(schemas.text_messages rows), partner, date, subject and its text lines as sent, for the people who must
read them. Pure: an Arrow table in, HTML out (every partner-supplied text escaped); the flows keep the rows.
"""

from __future__ import annotations

import pyarrow as pa

from engine.html_page import e, table
from schemas.reports import party_label

# what a refused 864 (schemas.text_messages ``accepted`` False) is said to be
NOT_ACCEPTED = ("were not accepted (997 AK5 R: the set is malformed, see the file's failures; the partner is "
                "asked to send it again)")
STYLE = ".message pre{white-space:pre-wrap;margin:.2em 0 .8em 0;padding:.4em;background:#f6f6f6}"


def render_messages_section(messages: pa.Table) -> list[str]:
    """HTML parts of the section for ``messages`` (TEXT_MESSAGES rows, in the order to show); none for
    none: a run without messages shows no section."""
    if not messages.num_rows:
        return []
    rows = messages.to_pylist()
    refused = sum(r.get("accepted") is False for r in rows)
    body = ['<h2 id="messages">Messages from partners</h2>',
            f"<p>{len(rows):,} text message(s) (X12 864) taken in: written for people, nothing was done with "
            "them; read them and act.</p>",
            *([f"<p>{refused:,} of them {NOT_ACCEPTED}, shown as far as they could be read.</p>"] if refused else []),
            table(["Partner", "Date", "Subject", "Message", "POs named", "File", "Accepted"],
                  [[party_label(r["partner"]), r["dated"] or "", r["subject"] or "",
                    " · ".join(v for v in (r["message_id"], r["message_subject"]) if v),
                    ", ".join(r["po_numbers"] or []), r["source_file"],
                    "no: not accepted (997 AK5 R)" if r.get("accepted") is False else "yes"] for r in rows])]
    for r in rows:
        head = " · ".join(str(v) for v in (party_label(r["partner"]), r["dated"], r["subject"],
                                            r["message_subject"]) if v)
        if r.get("accepted") is False:
            head += " (not accepted: malformed, see the file's failures)"
        parties = f"<p>{e('; '.join(r['parties']))}</p>" if r["parties"] else ""
        body.append(f'<div class="message"><h3>{e(head)}</h3>{parties}'
                    f"<pre>{e(chr(10).join(r['lines'] or []))}</pre></div>")
    return body
