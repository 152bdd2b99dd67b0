"""Protection of personal data (DESIGN §1.2): encryption, keyed hashing and masking.

Pure functions, no database. Every key derives from one secret, ``settings.data_key``, through
HKDF with a purpose label, so the encryption key and the ID-hash key are independent: knowing
one hash key does not decrypt names, and rotating the secret needs a re-encryption run.

- Names and summaries are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, random IV): the
  ciphertext of the same name differs on every call, so it cannot be matched across rows.
- ID numbers are never stored, not even encrypted: only a keyed HMAC-SHA256 (the "salt" is the
  secret key, so a table of every possible ID cannot be precomputed without it; equal IDs still
  give equal hashes, which lets the office find a person's matters) and the last 4 characters.
- Masked forms are what every screen shows by default: ``张**``, ``4306**********1234``.

Callers pass the secret explicitly (``key``); ``None`` reads ``settings.data_key``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# ISO 7064 MOD 11-2 as GB 11643-1999 uses it: weights 2^(17-i) mod 11, remainder -> check char.
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)

NAME_MASK = "**"
ID_MASK_MIDDLE = "*" * 10


def _secret(key: str | None) -> bytes:
    if key is None:
        from settings import get_settings

        key = get_settings().data_key
    return key.encode("utf-8")


@lru_cache(maxsize=8)
def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"petition-atlas/v1",
                info=purpose).derive(secret)


@lru_cache(maxsize=8)
def _fernet(secret: bytes) -> Fernet:
    import base64

    return Fernet(base64.urlsafe_b64encode(_derive(secret, b"fernet")))


def encrypt_text(value: str, key: str | None = None) -> str:
    """Fernet token (ASCII) of ``value``; different on every call."""
    return _fernet(_secret(key)).encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str, key: str | None = None) -> str:
    """The plain text of a token made by :func:`encrypt_text` with the same key."""
    return _fernet(_secret(key)).decrypt(token.encode("ascii")).decode("utf-8")


def encrypt_many(values: Iterable[str | None], key: str | None = None) -> list[str | None]:
    """:func:`encrypt_text` over ``values``; ``None`` stays ``None``."""
    f = _fernet(_secret(key))
    return [None if v is None else f.encrypt(v.encode("utf-8")).decode("ascii") for v in values]


def keyed_digest_many(values: Iterable[str | None], purpose: str,
                      key: str | None = None) -> list[str | None]:
    """HMAC-SHA256 hex digests of ``values`` under a key derived for ``purpose``.

    Deterministic, unlike encryption: used to detect a change in protected text (the importer's
    row hash) without keeping the text. ``None`` stays ``None``.
    """
    k = _derive(_secret(key), purpose.encode("utf-8"))
    return [None if v is None else hmac.digest(k, v.encode("utf-8"), hashlib.sha256).hex()
            for v in values]


def mask_name(name: str) -> str:
    """``张三`` -> ``张**``: the first character, then a fixed mask that hides the length."""
    name = name.strip()
    return name[:1] + NAME_MASK if name else ""


def mask_names(names: Iterable[str | None]) -> list[str | None]:
    """:func:`mask_name` over ``names``; ``None`` stays ``None``."""
    return [None if n is None else mask_name(n) for n in names]


def normalise_id_number(value: str) -> str:
    """Strip spaces and upper-case the check character (``x`` is written both ways)."""
    return value.strip().upper()


def valid_id_numbers(values: Sequence[str]) -> np.ndarray:
    """Boolean array: which of ``values`` (normalised) are valid 18-character resident IDs.

    Checks the shape (17 digits + digit or X), a real birth date at positions 7–14 and the
    ISO 7064 MOD 11-2 check character. Vectorised: one pass of numpy over all values.
    """
    n = len(values)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    arr = np.asarray(values, dtype=object)
    shaped = np.fromiter((isinstance(v, str) and len(v) == 18 and v.isascii()
                          and v[:17].isdigit() and (v[17].isdigit() or v[17] == "X")
                          for v in arr), dtype=bool, count=n)
    if not shaped.any():
        return out
    good = arr[shaped]
    raw = np.frombuffer("".join(good).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    digits = (raw[:, :17] - ord("0")).astype(np.int64)
    check_ok = _ID_CHECK[(digits @ _ID_WEIGHTS) % 11] == raw[:, 17]
    born = np.fromiter((_is_birth_date(f"{v[6:10]}-{v[10:12]}-{v[12:14]}") for v in good),
                       dtype=bool, count=len(good))
    out[np.flatnonzero(shaped)] = check_ok & born
    return out


def _is_birth_date(iso: str) -> bool:
    try:
        day = np.datetime64(iso, "D")  # raises on 1990-02-30, month 13, day 00
    except ValueError:
        return False
    return np.datetime64("1900-01-01") <= day <= np.datetime64("2100-12-31")


def is_valid_id_number(value: str) -> bool:
    """Whether ``value`` is a valid 18-character resident ID (see :func:`valid_id_numbers`)."""
    return bool(valid_id_numbers([normalise_id_number(value)])[0])


def hash_id_numbers(values: Iterable[str | None], key: str | None = None) -> list[str | None]:
    """Salted (keyed) HMAC-SHA256 hex of normalised ID numbers; ``None`` stays ``None``."""
    return keyed_digest_many(values, "petitioner-id", key)


def hash_id_number(value: str, key: str | None = None) -> str:
    """The stored hash of one ID number, e.g. to find a person's matters by their ID."""
    return hash_id_numbers([normalise_id_number(value)], key)[0]


def id_last4(value: str) -> str:
    """The last 4 characters, kept in clear so an officer can tell two people apart."""
    return normalise_id_number(value)[-4:]


def mask_id(value: str) -> str:
    """``430602199001011234`` -> ``4306**********1234`` (from a full number)."""
    v = normalise_id_number(value)
    return v[:4] + ID_MASK_MIDDLE + v[-4:]


def mask_id_last4(last4: str | None) -> str:
    """Masked display from the stored last 4 characters only: ``**************1234``.

    The store keeps no other part of the number, so the region prefix of :func:`mask_id`
    cannot be shown from it.
    """
    if not last4:
        return ""
    return "*" * 14 + last4
