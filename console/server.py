"""Starting the console: the refusal to listen beyond this machine without users, then uvicorn.
Owns nothing else (the pages are console.app; users and settings console.auth)."""

from __future__ import annotations

from pathlib import Path

from console import auth


def refusal(workspace: Path, host: str) -> str:
    """Why the console must not listen on ``host`` for ``workspace`` ("" when it may)."""
    if auth.is_loopback(host):
        return ""
    settings = auth.load_settings(workspace)
    if settings.auth.mode == "proxy":
        return "" if auth.load_users(workspace) else (
            f"refusing to listen on {host}: the console trusts a proxy header but no user has a role "
            f"(add one with `orderbridge console-user add NAME --role viewer --no-password -w {workspace}`)")
    if not any(u.password for u in auth.load_users(workspace).values()):
        return (f"refusing to listen on {host}: no console users are configured, so anyone who reaches it "
                f"could read every order. Add one with `orderbridge console-user add NAME --role approver "
                f"-w {workspace}`, or keep the default --host 127.0.0.1.")
    return ""


def serve(workspace: Path, host: str = "127.0.0.1", port: int = 8765) -> None:
    import uvicorn

    from console.app import create_app

    uvicorn.run(create_app(workspace), host=host, port=port, log_level="info", proxy_headers=False,
                server_header=False)
