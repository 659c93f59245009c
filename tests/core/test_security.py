from __future__ import annotations

import stat

import pytest

from interlude.core.security import Keyring, Passwords
from interlude.core.settings import Settings


def test_default_password_hashing_is_argon2id_rfc9106_low_memory():
    digest = Passwords().hash("correct horse battery staple")
    assert digest.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_password_verification():
    passwords = Passwords(time_cost=1, memory_kib=1024)
    digest = passwords.hash("s3cret passphrase")
    assert passwords.verify(digest, "s3cret passphrase")
    assert not passwords.verify(digest, "S3cret passphrase")
    assert not passwords.verify(None, "s3cret passphrase")  # unknown account (dummy hash)
    assert not Passwords(time_cost=1, memory_kib=1024).verify(None, "")  # dummy made first
    assert not passwords.verify("not-a-hash", "s3cret passphrase")
    assert passwords.needs_rehash(digest) is False
    assert Passwords().needs_rehash(digest) is True  # stronger parameters configured


def test_keyring_encrypts_and_hashes_per_key():
    a, b = Keyring("a" * 32), Keyring("b" * 32)
    token = a.encrypt("https://calendar.example/feed/secret")
    assert "secret" not in token
    assert a.decrypt(token) == "https://calendar.example/feed/secret"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        b.decrypt(token)
    assert a.hash_token("t") == a.hash_token("t") != b.hash_token("t")
    assert a.identity_hash("uid", "rid") != a.hash_token("uid\x1frid")


def test_keyring_rejects_short_keys():
    with pytest.raises(ValueError, match="at least 16"):
        Keyring("short")


def test_secret_key_generated_once_with_mode_0600(tmp_path):
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)  # type: ignore[call-arg]
    first = settings.resolved_secret_key()
    key_file = tmp_path / "var" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 43
    assert Settings(data_dir=tmp_path / "var", _env_file=None).resolved_secret_key() == first  # type: ignore[call-arg]


def test_settings_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INTERLUDE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("INTERLUDE_SYNC_FUTURE_DAYS", "21")
    monkeypatch.setenv("INTERLUDE_ALLOW_PRIVATE_NETWORK", "true")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.sync_future_days == 21 and settings.allow_private_network is True
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/interlude.db"
    assert settings.secure_cookies is False
