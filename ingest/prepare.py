"""The rows to store: typed, placed rows -> text columns of the staging table, with due dates,
protected personal data and the content hash.

Every value leaves here as its final text (``None`` for NULL), and the row hash is taken over
exactly that text, so what is hashed is what is stored. Plain Python over object arrays is
used where pandas' string methods would cost a microsecond per value. Personal data enters the
hash only as keyed digests, and leaves here only encrypted, hashed or masked.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from domain import privacy
from domain.clocks import DUE_COLUMNS, ClockRules, compute_due_dates
from domain.enums import LEVEL_RANK

_STAGE_DATES = ("registered_on", "forwarded_on", "accepted_on", "answered_on",
                "review_requested_on", "review_decided_on", "recheck_requested_on",
                "recheck_decided_on")

# Bump when the meaning of a stored column changes, so the next import rewrites every row.
_HASH_VERSION = "2"

#: Columns of the matter staging table, in COPY order (``line`` is the file line).
MATTER_STAGE: tuple[str, ...] = (
    "line", "matter_no", "registered_on", "category", "nature", "route", "county_code",
    "township_code", "village_code", "zone_code", "lon", "lat", "responsible_unit",
    "forwarded_on", "accepted_on", "extension_days", "answered_on", "satisfaction",
    "review_requested_on", "review_decided_on", "recheck_requested_on", "recheck_decided_on",
    "hearing_days", "package_leader", "package_level", "backlog_flag", "backlog_flagged_on",
    "backlog_resolved_on", "intake", "unrecorded_mask", "unrecorded_n", *DUE_COLUMNS,
    "summary_enc", "petitioner_name_enc", "petitioner_name_masked", "petitioner_id_hash",
    "petitioner_id_last4", "row_hash",
)

#: Columns of the submission staging table, in COPY order.
SUBMISSION_STAGE: tuple[str, ...] = (
    "line", "submission_no", "matter_no", "received_on", "channel", "received_level", "persons",
    "irregular", "row_hash",
)

#: Received levels two or more above the competent level (county for every matter here):
#: a submission received there is cross-level (DESIGN §3).
CROSS_LEVELS: tuple[str, ...] = tuple(
    lvl for lvl, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK["county"] + 2)


def date_text(values) -> np.ndarray:
    """datetime64 values -> ``YYYY-MM-DD`` text, None for NaT (numpy's C formatter: no
    per-value Python call)."""
    arr = np.asarray(values, dtype="datetime64[D]")
    out = np.datetime_as_string(arr, unit="D").astype(object)
    out[np.isnat(arr)] = None
    return out


def _int_text(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype=np.int64).astype(str).astype(object)


def _bool_text(s: pd.Series) -> np.ndarray:
    return np.where(s.to_numpy(dtype=bool), "t", "f").astype(object)


def _coord_text(values: np.ndarray) -> np.ndarray:
    # 7 decimals (~1 cm): stable text for the hash whatever the float arithmetic upstream.
    finite = np.isfinite(values)
    out = np.full(len(values), None, dtype=object)
    out[finite] = [f"{v:.7f}" for v in values[finite]]
    return out


def _text(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype=object, na_value=None)


def nulls(values: np.ndarray) -> np.ndarray:
    """Mask of None/NaN in an object array (elementwise compares: far cheaper than pd.isna)."""
    return np.equal(values, None) | np.not_equal(values, values)


def row_hashes(columns: list[np.ndarray]) -> list[str]:
    """md5 hex of each row's text over ``columns`` (object arrays of str or None; None hashes
    as empty), with a version prefix."""
    filled = [np.where(nulls(c), "", c) for c in columns]
    prefix = _HASH_VERSION + "\x1f"
    return [hashlib.md5((prefix + "\x1f".join(row)).encode("utf-8")).hexdigest()
            for row in zip(*filled, strict=True)]


def _frame(cols: dict[str, np.ndarray], order: tuple[str, ...]) -> pd.DataFrame:
    # dtype=object: every value is already the final text; no inference pass per column.
    return pd.DataFrame({c: cols[c] for c in order}, dtype=object)


def matters(typed: pd.DataFrame, places: pd.DataFrame, lines: np.ndarray,
            rules: ClockRules, key: str | None = None) -> pd.DataFrame:
    """Staging rows (:data:`MATTER_STAGE`, all text or None) for valid, placed matter rows.

    Due dates come from :func:`domain.clocks.compute_due_dates` with ``rules``; ``key`` is the
    data key for the protected columns (None: ``settings.data_key``).
    """
    cols: dict[str, np.ndarray] = {"line": np.asarray(lines).astype(str).astype(object)}
    for name in ("matter_no", "category", "nature", "route", "responsible_unit",
                 "satisfaction", "package_leader", "package_level"):
        cols[name] = _text(typed[name])
    for name in ("county_code", "township_code", "village_code", "zone_code"):
        cols[name] = places[name].to_numpy(dtype=object)
    cols["lon"] = _coord_text(places["lon"].to_numpy(dtype=np.float64))
    cols["lat"] = _coord_text(places["lat"].to_numpy(dtype=np.float64))
    for name in (*_STAGE_DATES, "backlog_flagged_on", "backlog_resolved_on"):
        cols[name] = date_text(typed[name])
    cols["extension_days"] = _int_text(typed["extension_days"])
    cols["hearing_days"] = _int_text(typed["hearing_days"])
    cols["backlog_flag"] = _bool_text(typed["backlog_flag"])

    stages = typed[list(_STAGE_DATES)].copy()
    stages["extension_days"] = typed["extension_days"].astype(np.int64)
    stages["hearing_days"] = typed["hearing_days"].astype(np.int64)
    stages["intake"] = typed["intake"].astype(object).where(typed["intake"].notna(), None)
    due = compute_due_dates(stages, rules)
    for name in DUE_COLUMNS:
        cols[name] = date_text(due[name])
    cols["intake"] = due["intake"].to_numpy(dtype=object)
    mask = due["unrecorded_mask"].to_numpy(dtype=np.int64)
    cols["unrecorded_mask"] = mask.astype(str).astype(object)
    cols["unrecorded_n"] = np.array([bin(v).count("1") for v in mask]).astype(str
                                                                              ).astype(object)

    names = _text(typed["petitioner_name"])
    summaries = _text(typed["summary"])
    ids = _text(typed["petitioner_id"])
    cols["summary_enc"] = _objects(privacy.encrypt_many(summaries, key))
    cols["petitioner_name_enc"] = _objects(privacy.encrypt_many(names, key))
    cols["petitioner_name_masked"] = _objects(privacy.mask_names(names))
    cols["petitioner_id_hash"] = _objects(privacy.hash_id_numbers(ids, key))
    cols["petitioner_id_last4"] = _objects([None if v is None else v[-4:] for v in ids])

    # Ciphertexts change on every encryption, so the hash sees keyed digests of the plain
    # text instead: same content, same hash, and the hash reveals nothing without the key.
    hashed = [cols[c] for c in MATTER_STAGE
              if c not in ("line", "summary_enc", "petitioner_name_enc", "row_hash")]
    hashed.append(_objects(privacy.keyed_digest_many(summaries, "row-hash", key)))
    hashed.append(_objects(privacy.keyed_digest_many(names, "row-hash", key)))
    cols["row_hash"] = _objects(row_hashes(hashed))
    return _frame(cols, MATTER_STAGE)


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def submissions(typed: pd.DataFrame, lines: np.ndarray) -> pd.DataFrame:
    """Staging rows (:data:`SUBMISSION_STAGE`) for valid submission rows."""
    cols: dict[str, np.ndarray] = {"line": np.asarray(lines).astype(str).astype(object)}
    for name in ("submission_no", "matter_no", "channel", "received_level"):
        cols[name] = _text(typed[name])
    cols["received_on"] = date_text(typed["received_on"])
    cols["persons"] = _int_text(typed["persons"])
    cols["irregular"] = _bool_text(typed["irregular"])
    cols["row_hash"] = _objects(row_hashes(
        [cols[c] for c in SUBMISSION_STAGE if c not in ("line", "row_hash")]))
    return _frame(cols, SUBMISSION_STAGE)
