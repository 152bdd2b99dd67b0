"""domain.privacy: encryption, ID validation and keyed hashing, masks."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from cryptography.fernet import InvalidToken

from domain import privacy
from tests.ingest.conftest import id_number

KEY = "test-data-key"


def test_encryption_round_trip_with_a_fresh_ciphertext_each_time():
    a = privacy.encrypt_text("张三", KEY)
    b = privacy.encrypt_text("张三", KEY)
    assert a != b and "张三" not in a
    assert privacy.decrypt_text(a, KEY) == "张三" == privacy.decrypt_text(b, KEY)
    with pytest.raises(InvalidToken):
        privacy.decrypt_text(a, "another-key")
    assert privacy.encrypt_many(["甲", None], KEY)[1] is None


def test_masks():
    assert privacy.mask_name("张三") == "张**"
    assert privacy.mask_name("欧阳娜娜") == "欧**"
    assert privacy.mask_names([None, "李四"]) == [None, "李**"]
    assert privacy.mask_id("430602199001011234") == "4306**********1234"
    assert privacy.mask_id_last4("1234") == "**************1234"
    assert privacy.mask_id_last4(None) == ""


def test_id_numbers_checked_by_iso_7064_check_character():
    good = id_number("43060219900101123")
    assert privacy.is_valid_id_number(good)
    # A known published example with check character X.
    assert privacy.is_valid_id_number("11010519491231002X")
    assert privacy.is_valid_id_number("11010519491231002x")
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    assert not privacy.is_valid_id_number(wrong_check)
    assert not privacy.is_valid_id_number(good[:17])  # 17 characters
    assert not privacy.is_valid_id_number("4306021990010112X4")  # X not last
    assert not privacy.is_valid_id_number(id_number("43060219900230123"))  # 30 February
    assert privacy.valid_id_numbers([good, "abc", wrong_check]).tolist() == [True, False, False]


def test_id_hash_is_keyed_hmac_sha256_and_last4_is_kept():
    number = id_number("43060219900101123")
    h = privacy.hash_id_number(number, KEY)
    assert len(h) == 64 and h != hashlib.sha256(number.encode()).hexdigest()
    assert h == privacy.hash_id_number(number.lower(), KEY)  # x and X are one number
    assert h != privacy.hash_id_number(number, "another-key")
    # Reproducible from the key alone (not a random salt per row), so matters of one person
    # can be found by their number.
    key = privacy._derive(KEY.encode(), b"petitioner-id")
    assert h == hmac.new(key, number.encode(), hashlib.sha256).hexdigest()
    assert privacy.id_last4(number) == number[-4:]
