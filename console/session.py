"""Console sessions in signed cookies: who signed in, when, and the session's CSRF token, as JSON
signed with HMAC-SHA256 under the workspace's secret (console.auth.secret). Nothing is kept on the
server; a cookie that is altered, expired or signed under another secret reads as no session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    user: str = ""  # empty before sign-in (the session still carries a CSRF token for the sign-in form)
    issued: float = 0.0  # seconds since the epoch (wall clock)

    @classmethod
    def fresh(cls, user: str = "", *, now: float) -> Session:
        return cls(csrf=secrets.token_urlsafe(32), user=user, issued=now)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(session: Session, key: bytes) -> str:
    body = _b64(json.dumps({"c": session.csrf, "u": session.user, "t": session.issued},
                           separators=(",", ":")).encode())
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(cookie: str, key: bytes, *, now: float, max_age: float) -> Session | None:
    """The session in ``cookie``, or None when it is not ours, altered or older than ``max_age`` s."""
    try:
        body, mac = cookie.split(".")
        if not hmac.compare_digest(_unb64(mac), hmac.new(key, body.encode(), hashlib.sha256).digest()):
            return None
        data = json.loads(_unb64(body))
        session = Session(csrf=str(data["c"]), user=str(data["u"]), issued=float(data["t"]))
    except (ValueError, KeyError, TypeError):
        return None
    if not session.csrf or not (0 <= now - session.issued <= max_age):
        return None
    return session


def csrf_ok(session: Session | None, submitted: str) -> bool:
    return session is not None and bool(submitted) and hmac.compare_digest(session.csrf, submitted)
