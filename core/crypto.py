"""Encryption at rest of ID numbers (SM4-GCM) and their keyed blind index (HMAC-SHA-256).

- Ciphertext: ``v<version>:<base64(nonce ‖ ciphertext ‖ tag)>``. The key version in front says which key of
  FIELD_ENCRYPTION_KEY opens it, so keys rotate (``manage.py rotate_field_key``) while old rows stay readable;
  the prefix is also the additional authenticated data, so a row relabelled to another version fails to open.
  A fresh 96-bit nonce per value: the same number encrypts differently every time (no equality leaks).
- Blind index: HMAC-SHA-256 of the normalised number (trimmed, upper-case X) under BLIND_INDEX_KEY, 64 hex
  characters. Exact search, the one-per-ID-and-cohort rule and the matches of lists against the registry use it.
- Keys never come from SECRET_KEY: FIELD_ENCRYPTION_KEY = "2:<base64 16 bytes>,1:<base64 16 bytes>" (the first is
  the current key, the others only decrypt), BLIND_INDEX_KEY = base64 of ≥ 16 bytes. Both also read NAME_FILE.

Anything wrong fails loudly: a missing key version, a tampered or truncated ciphertext, a value that is not a
ciphertext at all raise FieldDecryptionError (never an empty or wrong number).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12
TAG_BYTES = 16
SM4_KEY_BYTES = 16
PREFIX = re.compile(r"v([0-9]{1,5}):")

# Development and test only (DEBUG, or under pytest): published here, so never protecting anything real.
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "1:" + base64.b64encode(b"DEV-ONLY-sm4-key").decode()
DEVELOPMENT_BLIND_INDEX_KEY = base64.b64encode(b"DEVELOPMENT-ONLY-blind-index-key").decode()


class FieldDecryptionError(Exception):
    """A stored value could not be decrypted (unknown key version, wrong key, tampered or not a ciphertext)."""


@dataclass(frozen=True)
class KeyRing:
    current: int
    keys: dict[int, bytes]


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{what} is not valid base64.") from exc


def parse_key_ring(text: str | None) -> KeyRing:
    """FIELD_ENCRYPTION_KEY's "version:base64key" list (first = current). Raises ImproperlyConfigured."""
    if not text or not text.strip():
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY (or FIELD_ENCRYPTION_KEY_FILE) must be set.")
    keys: dict[int, bytes] = {}
    current = None
    for item in text.split(","):
        version, sep, encoded = item.strip().partition(":")
        if not sep or not version.isdigit() or not 0 < int(version) < 100_000:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEY must be a comma-separated list of <version>:<base64 key> "
                "(version a whole number 1–99999), the current key first."
            )
        key = _b64(encoded, f"FIELD_ENCRYPTION_KEY version {version}")
        if len(key) != SM4_KEY_BYTES:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEY version {version} must be {SM4_KEY_BYTES} bytes (SM4), not {len(key)}."
            )
        if int(version) in keys:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY lists version {version} twice.")
        keys[int(version)] = key
        current = int(version) if current is None else current
    assert current is not None
    return KeyRing(current=current, keys=keys)


def parse_blind_index_key(text: str | None) -> bytes:
    if not text or not text.strip():
        raise ImproperlyConfigured("BLIND_INDEX_KEY (or BLIND_INDEX_KEY_FILE) must be set.")
    key = _b64(text, "BLIND_INDEX_KEY")
    if len(key) < 16:
        raise ImproperlyConfigured(f"BLIND_INDEX_KEY must be at least 16 bytes, not {len(key)}.")
    return key


@functools.cache
def key_ring() -> KeyRing:
    from django.conf import settings

    return parse_key_ring(settings.FIELD_ENCRYPTION_KEY)


@functools.cache
def _blind_index_key() -> bytes:
    from django.conf import settings

    return parse_blind_index_key(settings.BLIND_INDEX_KEY)


@functools.cache
def _algorithms() -> dict[int, algorithms.SM4]:
    """One SM4 algorithm object per configured key version (its key checked once, not per value)."""
    return {version: algorithms.SM4(key) for version, key in key_ring().keys.items()}


@functools.cache
def _current() -> tuple[str, bytes, algorithms.SM4]:
    """The current key's prefix ("v2:"), that prefix as the additional authenticated data, and its algorithm."""
    version = key_ring().current
    return f"v{version}:", f"v{version}:".encode("ascii"), _algorithms()[version]


def reset_keys() -> None:
    """Forget the keys read from the settings (after the settings change: tests, key rotation)."""
    key_ring.cache_clear()
    _blind_index_key.cache_clear()
    _blind_index_base.cache_clear()
    _algorithms.cache_clear()
    _current.cache_clear()


def current_prefix() -> str:
    return f"v{key_ring().current}:"


def encrypt(plaintext: str) -> str:
    """SM4-GCM under the current key; the empty string stays empty (nothing to hide)."""
    if plaintext == "":
        return ""
    prefix, aad, algorithm = _current()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithm, modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    return prefix + binascii.b2a_base64(nonce + body + encryptor.tag, newline=False).decode("ascii")


def key_version(token: str) -> int:
    match = PREFIX.match(token)
    if match is None:
        raise FieldDecryptionError("The stored value is not a field ciphertext (no v<version>: prefix).")
    return int(match.group(1))


def decrypt(token: str) -> str:
    if token == "":
        return ""
    prefix, colon, encoded = token.partition(":")
    version = prefix[1:]
    if (
        not colon
        or prefix[:1] != "v"
        or not 0 < len(version) <= 5
        or not version.isascii()
        or not version.isdigit()
    ):
        raise FieldDecryptionError("The stored value is not a field ciphertext (no v<version>: prefix).")
    algorithm = _algorithms().get(int(version))
    if algorithm is None:
        raise FieldDecryptionError(
            f"Field encryption key version {int(version)} is not configured in FIELD_ENCRYPTION_KEY "
            f"(configured: {sorted(key_ring().keys)}); keep old keys listed until rotate_field_key has finished."
        )
    try:
        raw = binascii.a2b_base64(encoded, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise FieldDecryptionError("The stored ciphertext is not valid base64.") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise FieldDecryptionError("The stored ciphertext is truncated.")
    decryptor = Cipher(algorithm, modes.GCM(raw[:NONCE_BYTES], raw[-TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(f"{prefix}:".encode("ascii"))
    try:
        return (decryptor.update(raw[NONCE_BYTES:-TAG_BYTES]) + decryptor.finalize()).decode("utf-8")
    except InvalidTag as exc:
        raise FieldDecryptionError(
            f"The stored ciphertext does not open with key version {int(version)} (wrong key or tampered)."
        ) from exc


def decryptor() -> Callable[[str], str]:
    """decrypt() for many values in a row (an export's column): the key versions' algorithms and prefixes bound
    once, the checks folded into one lookup. Anything unusual (unknown version, bad base64, tampering) goes
    through decrypt() itself, which raises the same FieldDecryptionError."""
    table = {
        f"v{version}": (algorithm, f"v{version}:".encode("ascii"))
        for version, algorithm in _algorithms().items()
    }
    gcm, a2b, cipher = modes.GCM, binascii.a2b_base64, Cipher
    shortest = NONCE_BYTES + TAG_BYTES

    def one(token: str) -> str:
        if token == "":
            return ""
        prefix, _, encoded = token.partition(":")
        entry = table.get(prefix)
        if entry is None:
            return decrypt(token)
        try:
            raw = a2b(encoded, strict_mode=True)
        except (binascii.Error, ValueError):
            return decrypt(token)
        if len(raw) < shortest:
            return decrypt(token)
        context = cipher(entry[0], gcm(raw[:NONCE_BYTES], raw[-TAG_BYTES:])).decryptor()
        context.authenticate_additional_data(entry[1])
        try:
            return (context.update(raw[NONCE_BYTES:-TAG_BYTES]) + context.finalize()).decode("utf-8")
        except InvalidTag:
            return decrypt(token)

    return one


def decrypt_or_none(token: str | None) -> str | None:
    return None if token is None else decrypt(token)


def normalise_id_number(number: str) -> str:
    return number.strip().upper()


@functools.cache
def _blind_index_base() -> hmac.HMAC:
    """The keyed HMAC before any message: copied per value (the key's pads computed once, not per number)."""
    return hmac.new(_blind_index_key(), digestmod="sha256")


def blind_index(number: str) -> str:
    """HMAC-SHA-256 of the normalised ID number, hex; the empty string stays empty."""
    normalised = normalise_id_number(number)
    if normalised == "":
        return ""
    mac = _blind_index_base().copy()
    mac.update(normalised.encode("utf-8"))
    return mac.hexdigest()


def encrypt_bytes(data: bytes) -> bytes:
    """A whole file (an uploaded roster) under the current key: b"v<version>:" ‖ nonce ‖ ciphertext ‖ tag."""
    _, prefix, algorithm = _current()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithm, modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(prefix)
    body = encryptor.update(data) + encryptor.finalize()
    return prefix + nonce + body + encryptor.tag


def decrypt_bytes(blob: bytes) -> bytes:
    head = bytes(blob[:8]).decode("ascii", "replace")
    version = key_version(head)
    prefix_length = len(f"v{version}:")
    algorithm = _algorithms().get(version)
    if algorithm is None:
        raise FieldDecryptionError(f"Field encryption key version {version} is not configured.")
    raw = bytes(blob[prefix_length:])
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise FieldDecryptionError("The stored ciphertext is truncated.")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithm, modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(bytes(blob[:prefix_length]))
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise FieldDecryptionError(
            f"The stored ciphertext does not open with key version {version} (wrong key or tampered)."
        ) from exc


# --- Set-based conversion of a whole column (data migrations, rotate_field_key) --------------------------------
# One SELECT of up to BATCH rows in id order, the values converted in Python, one UPDATE … FROM unnest(…) per
# batch. The WHERE clause selects only rows still to do, so a run stopped half-way resumes where it stopped.

BATCH = 5_000
_IS_CIPHERTEXT = r"^v[0-9]{1,5}:"


def _todo_condition(column: str, direction: str) -> tuple[str, list]:
    if direction == "encrypt":
        return f"{column} <> '' AND {column} !~ %s", [_IS_CIPHERTEXT]
    if direction == "decrypt":
        return f"{column} ~ %s", [_IS_CIPHERTEXT]
    if direction == "rotate":
        return f"{column} <> '' AND left({column}, %s) <> %s", [len(current_prefix()), current_prefix()]
    raise ValueError(direction)


def rows_to_convert(cursor, *, table: str, column: str, direction: str) -> int:
    condition, params = _todo_condition(column, direction)
    cursor.execute(f"SELECT count(*) FROM {table} WHERE {condition}", params)  # noqa: S608 (our own names)
    return cursor.fetchone()[0]


def convert_batch(
    cursor,
    *,
    table: str,
    column: str,
    direction: str,
    digest_column: str | None = None,
    after_id: int = 0,
    batch: int = BATCH,
) -> tuple[int, int]:
    """Convert the next batch of TABLE.COLUMN after AFTER_ID: "encrypt" plain values (and fill DIGEST_COLUMN),
    "decrypt" them back (digest emptied), or "rotate" them to the current key. Returns (last id, rows done);
    rows done 0: finished."""
    condition, params = _todo_condition(column, direction)
    cursor.execute(
        f"SELECT id, {column} FROM {table} WHERE id > %s AND {condition} ORDER BY id LIMIT %s",  # noqa: S608
        [after_id, *params, batch],
    )
    rows = cursor.fetchall()
    if not rows:
        return after_id, 0
    ids = [pk for pk, _ in rows]
    if direction == "encrypt":
        values = [encrypt(value) for _, value in rows]
        digests = [blind_index(value) for _, value in rows]
    elif direction == "decrypt":
        values = [decrypt(value) for _, value in rows]
        digests = ["" for _ in rows]
    else:
        values = [encrypt(decrypt(value)) for _, value in rows]
        digests = []
    sets = f"{column} = u.value" + (f", {digest_column} = u.digest" if digest_column and digests else "")
    update = f"UPDATE {table} t SET {sets} FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS u(id, value, digest) "  # noqa: S608 (our own names)
    cursor.execute(
        update + "WHERE t.id = u.id",
        [ids, values, digests or [""] * len(ids)],
    )
    return ids[-1], len(ids)


def convert_column(
    cursor, *, table: str, column: str, direction: str, digest_column: str | None = None, progress=None
) -> int:
    """Every batch of convert_batch; PROGRESS(done) after each. Returns the rows converted."""
    after_id, total = 0, 0
    while True:
        after_id, done = convert_batch(
            cursor,
            table=table,
            column=column,
            direction=direction,
            digest_column=digest_column,
            after_id=after_id,
        )
        if not done:
            return total
        total += done
        if progress is not None:
            progress(total)


_ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9Xx])")


def mask_id_numbers_in(text: str) -> str:
    """TEXT with every 18-character ID number in it masked (630102********1234): for free text kept at rest,
    such as the query parameters of an audited export."""
    return _ID_NUMBER_IN_TEXT.sub(r"\1********\2", text)
