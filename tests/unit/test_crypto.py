"""accommnotify.crypto: AES-GCM values with their key id, the blind index, the keys from settings."""
import os
import stat

import pytest

from accommnotify import crypto
from accommnotify.secret_key import InsecureSecretKey

KEY_A = "a" * 8 + "-unit-test-data-key-one-0123456789"
KEY_B = "b" * 8 + "-unit-test-data-key-two-0123456789"


def test_round_trip_random_nonce_and_key_id():
    ring = crypto.Keyring(KEY_A)
    one, two = ring.encrypt("001090012345"), ring.encrypt("001090012345")
    assert one != two and "001090012345" not in one
    assert one.startswith(f"e1.{ring.current_id}.") and crypto.is_encrypted(one)
    assert ring.decrypt(one) == ring.decrypt(two) == "001090012345"
    assert ring.encrypt(None) is None and ring.decrypt(None) is None
    mrz = "P<SWEERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36SWE8408122F3501017<<<<<<<<<<<<<<02"
    assert ring.decrypt(ring.encrypt(mrz)) == mrz and len(ring.encrypt(mrz)) <= 255


def test_wrong_key_unknown_key_and_tampering_are_refused():
    a, b = crypto.Keyring(KEY_A), crypto.Keyring(KEY_B)
    token = a.encrypt("L898902C3")
    with pytest.raises(crypto.DataKeyError, match="not configured"):
        b.decrypt(token)
    forged = f"e1.{b.current_id}." + token.split(".")[2]   # another key's id on this value
    with pytest.raises(crypto.DataKeyError, match="does not decrypt"):
        b.decrypt(forged)
    body = token.split(".")[2]
    flipped = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    with pytest.raises(crypto.DataKeyError):
        a.decrypt(f"e1.{a.current_id}.{flipped}")
    with pytest.raises(crypto.DataKeyError):
        a.decrypt("001090012345")                          # a plain value is not accepted as stored


def test_old_keys_still_read_and_match_only_the_current_key_writes():
    old = crypto.Keyring(KEY_A)
    token = old.encrypt("001090012345")
    new = crypto.Keyring(KEY_B, [KEY_A])
    assert new.decrypt(token) == "001090012345" and new.needs_rotation(token)
    assert new.encrypt("x").startswith(f"e1.{new.current_id}.") and not new.needs_rotation(new.encrypt("x"))
    assert old.blind_index("001090012345") in new.blind_indexes("001090012345")
    assert new.blind_index("001090012345") == new.blind_indexes("001090012345")[0]


def test_blind_index_is_keyed_deterministic_and_not_the_number():
    a, b = crypto.Keyring(KEY_A), crypto.Keyring(KEY_B)
    index = a.blind_index("001090012345")
    assert index == a.blind_index("001090012345") and len(index) == 32
    assert index != b.blind_index("001090012345") != a.blind_index("001090012346")
    import hashlib
    assert index not in hashlib.sha256(b"001090012345").hexdigest()  # not a plain hash anyone can compute


def test_redacted_search_keeps_names_and_indexes_numbers():
    ring = crypto.Keyring(KEY_A)
    assert crypto.redact_search({"q": "nguyen van", "search": "name"}, ring) == {"q": "nguyen van", "search": "name"}
    out = crypto.redact_search({"q": "l898 902c3", "search": "number"}, ring)
    assert out == {"search": "number", "q_index": f"{ring.current_id}:{ring.blind_index('L898902C3')}"}


def test_settings_key_refused_when_short_published_or_the_secret(tmp_path):
    with pytest.raises(InsecureSecretKey):
        crypto.resolve({"DATA_KEY": "short"}, tmp_path)
    with pytest.raises(InsecureSecretKey):
        crypto.resolve({"DATA_KEY": "change-me"}, tmp_path)
    with pytest.raises(InsecureSecretKey):
        crypto.resolve({"DATA_KEY": KEY_A}, tmp_path, secret_key=KEY_A)
    with pytest.raises(InsecureSecretKey):
        crypto.resolve({"DATA_KEY": KEY_A, "DATA_KEYS_OLD": ["short"]}, tmp_path)
    ring = crypto.resolve({"DATA_KEY": KEY_B, "DATA_KEYS_OLD": [KEY_A]}, tmp_path)
    assert ring.current_id == crypto.Keyring(KEY_B).current_id and len(ring.keys) == 2


def test_generated_key_file_is_private_and_reused(tmp_path):
    ring = crypto.resolve({"DATA_KEY": "", "DATA_KEY_FILE": "var/data_key"}, tmp_path)
    path = tmp_path / "var" / "data_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert crypto.resolve({"DATA_KEY_FILE": str(path)}, tmp_path).current_id == ring.current_id
    os.chmod(path, 0o644)
    with pytest.raises(InsecureSecretKey, match="chmod 600"):
        crypto.resolve({"DATA_KEY_FILE": str(path)}, tmp_path)
