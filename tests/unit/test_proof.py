"""Daily proofs and the deadline clock, piece by piece: masking, the signature line, the day's
bounds and input, the Decree 282/2025 brackets (issue 12, items 3-4)."""
import os
import secrets
import stat
from datetime import date, datetime, timedelta

import pytest

from accommnotify.facility import clock
from accommnotify.intake.errors import InvalidInput
from accommnotify.proof import daily, signing
from accommnotify.secret_key import InsecureSecretKey
from accommnotify.timeutil import UTC, VN_TZ

# A small PDF-shaped body: what matters is that every byte of it is covered by the signature.
BODY = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"


@pytest.fixture(scope="module")
def signer():
    return signing.ProofSigner(secrets.token_urlsafe(32))


@pytest.mark.parametrize("number, masked", [
    ("001090123456", "****3456"), ("L898902C3", "****02C3"), ("12 34 56 78", "****5678"),
    ("12345", "****2345"), ("1234", "****"), ("12", "****"), (None, ""), ("", "")])
def test_a_number_keeps_only_its_last_4_characters(number, masked):
    assert daily.mask_number(number) == masked
    if number and len(number.replace(" ", "")) > 4:
        assert number.replace(" ", "")[:-4] not in masked


def test_an_untouched_proof_verifies(signer):
    signed = signer.sign(BODY)
    assert signed.startswith(BODY) and len(signed) == len(BODY) + signing.TRAILER_LEN
    verdict = signing.verify(signed, signer.public_key)
    assert verdict.ok and verdict.key_id == signer.key_id


def _positions(length):
    """A sample of the body (first, middle, last bytes) and every byte of the signature line."""
    body = length - signing.TRAILER_LEN
    return sorted({0, 1, 4, body // 2, body - 2, body - 1, *range(body, length)})


def test_any_single_changed_byte_fails(signer):
    signed = signer.sign(BODY)
    for position in _positions(len(signed)):
        for flip in (0x01, 0x20, 0x80):
            changed = bytearray(signed)
            changed[position] ^= flip
            assert not signing.verify(bytes(changed), signer.public_key).ok, (position, flip)


@pytest.mark.parametrize("change", [
    lambda s: s + b"\n", lambda s: s + b"x", lambda s: s + b"%%EOF\n", lambda s: s[:-1], lambda s: s[1:],
    lambda s: s[:-signing.TRAILER_LEN], lambda s: s[:len(BODY) // 2] + s[len(BODY) // 2 + 1:],
    lambda s: s[:10] + b" " + s[10:], lambda s: b"", lambda s: s.upper(),
    lambda s: s[:-129] + s[-129:-1].upper() + b"\n",  # the signature in capitals: not the canonical text
], ids=["newline-appended", "byte-appended", "eof-appended", "last-byte-cut", "first-byte-cut", "no-signature",
        "byte-removed-inside", "byte-inserted", "empty", "upper-case-file", "upper-case-signature"])
def test_appended_removed_or_truncated_bytes_fail(signer, change):
    assert not signing.verify(change(signer.sign(BODY)), signer.public_key).ok


def test_another_keys_signature_or_a_resigned_copy_fails(signer):
    other = signing.ProofSigner(secrets.token_urlsafe(32))
    verdict = signing.verify(other.sign(BODY), signer.public_key)
    assert not verdict.ok and other.key_id in verdict.reason
    # a forger who replaces the line keeps our key id but cannot make the signature
    forged = other.sign(BODY).replace(other.key_id.encode(), signer.key_id.encode())
    assert not signing.verify(forged, signer.public_key).ok


def test_public_key_round_trips_through_pem(signer):
    key = signing.load_public_key(signer.public_pem().encode())
    assert signing.verify(signer.sign(BODY), key).ok
    with pytest.raises(ValueError):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        signing.load_public_key(pem)


def test_the_signing_key_is_generated_once_0600_and_never_a_weak_or_shared_one(tmp_path):
    settings = {"PROOF_SIGNING_KEY": "", "PROOF_SIGNING_KEY_FILE": "var/proof_signing_key"}
    first = signing.resolve(settings, tmp_path)
    path = tmp_path / "var" / "proof_signing_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert signing.resolve(settings, tmp_path).key_id == first.key_id  # reused, not regenerated
    assert signing.resolve(settings, tmp_path / "elsewhere").key_id != first.key_id  # random per machine
    for weak in ("changeme", "short"):
        with pytest.raises(InsecureSecretKey):
            signing.resolve({"PROOF_SIGNING_KEY": weak}, tmp_path)
    shared = secrets.token_urlsafe(32)
    with pytest.raises(InsecureSecretKey):
        signing.resolve({"PROOF_SIGNING_KEY": shared}, tmp_path, (shared, None))


def test_a_vietnam_day_runs_from_midnight_to_midnight_local_time():
    start, end = daily.day_bounds(date(2026, 11, 27))
    assert start == datetime(2026, 11, 26, 17, 0, tzinfo=UTC) and end - start == timedelta(days=1)


NOW = datetime(2026, 11, 27, 14, 0, tzinfo=VN_TZ)


@pytest.mark.parametrize("raw, code", [
    ("2026-13-01", "format"), ("27/11/2026", "format"), ("2026-11-27x", "format"), ("", "format"),
    ("２０２６-11-27", "format"), (None, "format"), ("2026-11-28", "proof.date_in_future"),
    ("1999-12-31", "out_of_range")])
def test_a_bad_or_future_day_names_the_field_and_a_code(raw, code):
    with pytest.raises(InvalidInput) as caught:
        daily.parse_day(raw, NOW)
    assert [(i.field, i.code) for i in caught.value.issues] == [("date", code)]


def test_today_in_vietnam_is_allowed_even_when_utc_is_still_yesterday():
    early = datetime(2026, 11, 28, 0, 30, tzinfo=VN_TZ)  # 17:30 UTC on the 27th
    assert daily.parse_day("2026-11-28", early) == date(2026, 11, 28)


@pytest.mark.parametrize("late, status, delivered, expected", [
    (True, "accepted", 0, True), (False, "accepted", -10, False), (False, "accepted", 10, True),
    (False, "pending", None, True), (False, "rejected", None, True), (False, "withdrawn", None, False)])
def test_late_as_the_proof_states_it(late, status, delivered, expected):
    deadline = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    at = None if delivered is None else deadline + timedelta(minutes=delivered)
    assert daily.is_late(late, status, deadline, at, deadline + timedelta(hours=1)) is expected


@pytest.mark.parametrize("count, bracket", [(0, None), (1, (1, 3)), (3, (1, 3)), (4, (4, 8)), (8, (4, 8)),
                                            (9, (9, None)), (250, (9, None))])
def test_late_guests_fall_in_the_decree_brackets(count, bracket):
    found = clock.bracket_for(count)
    assert (found and (found.min, found.max)) == bracket


def test_the_brackets_file_names_its_source_and_has_no_gap():
    decree = clock.decree()
    assert "282/2025" in decree.title and "282/2025" in decree.title_en
    brackets = decree.brackets
    assert [(b.min, b.max) for b in brackets] == [(1, 3), (4, 8), (9, None)]
    assert all(a.max + 1 == b.min for a, b in zip(brackets, brackets[1:]))


@pytest.mark.parametrize("seconds, minutes", [(540 * 60, 540), (59, 0), (0, 0), (-1, -1), (-61, -2)])
def test_minutes_left_round_down(seconds, minutes):
    assert clock.minutes_left(NOW + timedelta(seconds=seconds), NOW) == minutes


def test_the_documented_format_verifies_with_a_plain_ed25519_library(signer):
    """docs/PROOF.md: the last 182 bytes are the line; the signature is over body + line[:53]."""
    signed = signer.sign(BODY)
    body, line = signed[:-182], signed[-182:]
    assert body == BODY and line.startswith(b"\n%accommnotify-proof-sig:v1:ed25519:") and line.endswith(b"\n")
    assert line[36:53] == signer.key_id.encode() + b":"
    signer.public_key.verify(bytes.fromhex(line[53:-1].decode()), body + line[:53])  # raises if wrong
