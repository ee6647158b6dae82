"""The flow resolves an SFTP key passphrase from a Prefect Secret block named in the profile."""

from __future__ import annotations

import pytest

from connectors.testing_sshd import make_key
from schemas.profile import PartnerProfile

pytestmark = pytest.mark.integration


def test_passphrase_from_a_prefect_secret_block(server, partner, tmp_path, monkeypatch):
    from prefect.blocks.system import Secret

    from flows.nightly import open_drop  # here, not at collection: it imports Prefect (seconds, in every worker)

    key = make_key(tmp_path / "id_block", passphrase="block-passphrase-7")
    authorized = server.workdir / "authorized_keys"
    original = authorized.read_text()
    authorized.write_text(original + key.with_suffix(".pub").read_text())
    monkeypatch.delenv("OB_UNSET_SECRET", raising=False)
    try:
        Secret(value="block-passphrase-7").save("orderbridge-test-sftp", overwrite=True)
        sftp = server.settings(key_file=str(key), secret_env=None, secret_block="orderbridge-test-sftp")
        profile = PartnerProfile.model_validate({
            "id": "blocky", "name": "Blocky", "drop": {"kind": "sftp", "sftp": sftp.model_dump()},
            "x12": {"their_qualifier": "ZZ", "their_id": "BLOCKY", "our_qualifier": "ZZ", "our_id": "US",
                    "their_gs_id": "BLOCKY", "our_gs_id": "US"}})
        partner.put("inbox", "po.x12", b"ISA")
        drop = open_drop(str(tmp_path / "ws"), profile)
        try:
            assert drop.read("inbox", "po.x12") == b"ISA"
        finally:
            drop.close()
    finally:
        authorized.write_text(original)
