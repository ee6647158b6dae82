"""Who may use the console: the workspace's users file (names, roles, scrypt-hashed passwords), its
console settings (password sign-in, or a reverse proxy's authenticated header), and the per-workspace
secret that signs session cookies. Owns <workspace>/console/; never reads or writes the state store.

    <workspace>/console/users.json     {"users": [{"name", "role", "password": "scrypt$n$r$p$salt$hash"}]}
    <workspace>/console/console.toml   optional: [auth] mode = "password" | "proxy", header, trusted_proxies
    <workspace>/console/secret         32 random bytes, mode 0600, made on first use
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from schemas.errors import ConfigError

ROLES = ("viewer", "approver", "admin")  # each role can do what the ones before it can
SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # about 16 MiB and a few tens of ms per check
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-")


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str
    password: str = ""  # the stored hash; empty for a user who signs in through the proxy only

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class AuthSettings(BaseModel):
    """[auth] in console.toml. With mode "proxy" the user is the value of ``header`` on requests from
    one of ``trusted_proxies`` (addresses or networks); the role still comes from users.json."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    mode: Literal["password", "proxy"] = "password"
    header: str = "X-Forwarded-User"
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    session_hours: float = Field(12, gt=0, le=24 * 30)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for v in value:
            ipaddress.ip_network(v, strict=False)
        return value

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(n, strict=False) for n in self.trusted_proxies)


class ConsoleSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    auth: AuthSettings = AuthSettings()


def console_dir(workspace: Path) -> Path:
    return Path(workspace) / "console"


def load_settings(workspace: Path) -> ConsoleSettings:
    path = console_dir(workspace) / "console.toml"
    if not path.is_file():
        return ConsoleSettings()
    try:
        return ConsoleSettings.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError, ValueError) as exc:
        raise ConfigError(f"invalid console settings: {exc}", file=str(path)) from exc


# --- passwords ---------------------------------------------------------------------------------------
def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, maxmem=64 * 2**20, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=256 * 2**20, dklen=len(digest) // 2)
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


# --- the users file ----------------------------------------------------------------------------------
def users_path(workspace: Path) -> Path:
    return console_dir(workspace) / "users.json"


def load_users(workspace: Path) -> dict[str, User]:
    path = users_path(workspace)
    if not path.is_file():
        return {}
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["users"]
        users = {r["name"]: User(r["name"], r["role"], r.get("password", "")) for r in rows}
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"unreadable users file: {exc}", file=str(path)) from exc
    bad = [u.name for u in users.values() if u.role not in ROLES]
    if bad:
        raise ConfigError(f"unknown role for {', '.join(bad)} (roles: {', '.join(ROLES)})", file=str(path))
    return users


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only (0600), through a temporary name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def save_users(workspace: Path, users: dict[str, User]) -> None:
    rows = [{"name": u.name, "role": u.role, **({"password": u.password} if u.password else {})}
            for u in sorted(users.values(), key=lambda u: u.name)]
    _write_private(users_path(workspace), (json.dumps({"users": rows}, indent=2) + "\n").encode())


def check_name(name: str) -> str:
    if not name or len(name) > 64 or not set(name) <= NAME_CHARS:
        raise ConfigError("a user name is 1-64 letters, digits or . _ @ -", name=name)
    return name


def add_user(workspace: Path, name: str, role: str, password: str | None) -> User:
    """Add or replace a user; ``password`` None keeps a proxy-only user (no password sign-in)."""
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    if password is not None and len(password) < 8:
        raise ConfigError("a password has at least 8 characters")
    users = load_users(workspace)
    user = User(check_name(name), role, hash_password(password) if password is not None else "")
    users[name] = user
    save_users(workspace, users)
    return user


def remove_user(workspace: Path, name: str) -> bool:
    users = load_users(workspace)
    if users.pop(name, None) is None:
        return False
    save_users(workspace, users)
    return True


# --- the signing secret ------------------------------------------------------------------------------
def secret(workspace: Path) -> bytes:
    """The workspace's cookie-signing secret (made on first use, 0600)."""
    path = console_dir(workspace) / "secret"
    if not path.is_file():
        try:
            fd = os.open(path if path.parent.is_dir() else _mkdir(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                         0o600)
        except FileExistsError:
            pass
        else:
            try:
                os.write(fd, secrets.token_bytes(32))
                os.fsync(fd)
            finally:
                os.close(fd)
    data = path.read_bytes()
    if len(data) < 32:
        raise ConfigError("the console secret is too short; delete it to make a new one", file=str(path))
    return data


def _mkdir(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
