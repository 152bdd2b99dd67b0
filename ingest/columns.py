"""The columns of the import contract (DESIGN §5): English name, Chinese header, kind, rules.

Everything else in ``ingest/`` reads the contract from here, so a new column is one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import enums
from domain.clocks import INTAKES, STAGE_ORDER


@dataclass(frozen=True)
class Column:
    """One column of an import file."""

    name: str
    zh: str
    kind: str  # text | code | date | enum | yesno | int | float
    required: bool = False
    enum: dict | None = None
    default: object = None
    max_len: int | None = None
    # Personal data (DESIGN §1.2): its value is never echoed in a reason, a log or a warning.
    personal: bool = False
    # A flaw in this optional field is a warning: the value is dropped and the row lands
    # (DESIGN §5: a personal or descriptive field is never worth losing a matter).
    warn_only: bool = False


MATTER_COLUMNS: tuple[Column, ...] = (
    Column("matter_no", "信访事项编号", "text", required=True, max_len=64),
    Column("registered_on", "登记日期", "date", required=True),
    Column("category", "问题类别", "enum", required=True, enum=enums.CATEGORIES),
    Column("nature", "信访性质", "enum", enum=enums.NATURES, default="claim"),
    Column("route", "办理途径", "enum", enum=enums.ROUTES, default="ordinary"),
    Column("area_code", "问题属地代码", "code"),
    Column("lon", "经度", "float"),
    Column("lat", "纬度", "float"),
    Column("project_zone", "项目片区", "code", max_len=32),
    Column("responsible_unit", "责任单位", "text"),
    Column("forwarded_on", "转送交办日期", "date"),
    Column("accepted_on", "受理日期", "date"),
    Column("extension_days", "延期天数", "int", default=0),
    Column("answered_on", "答复日期", "date"),
    Column("satisfaction", "满意度", "enum", enum=enums.SATISFACTION),
    Column("review_requested_on", "复查申请日期", "date"),
    Column("review_decided_on", "复查意见日期", "date"),
    Column("recheck_requested_on", "复核申请日期", "date"),
    Column("recheck_decided_on", "复核意见日期", "date"),
    Column("hearing_days", "听证天数", "int", default=0),
    Column("package_leader", "包案领导", "text"),
    Column("package_level", "包案级别", "enum", enum=enums.PACKAGE_LEVELS, warn_only=True),
    Column("backlog_flag", "上级交办积案", "yesno", default=False),
    Column("backlog_flagged_on", "积案交办日期", "date"),
    Column("backlog_resolved_on", "积案化解日期", "date"),
    Column("intake", "受理方式", "enum", enum=INTAKES),
    Column("summary", "内容摘要", "text", personal=True),
    Column("petitioner_name", "信访人", "text", personal=True),
    Column("petitioner_id", "身份证号", "text", personal=True, warn_only=True),
)

SUBMISSION_COLUMNS: tuple[Column, ...] = (
    Column("submission_no", "信访件编号", "text", required=True, max_len=64),
    Column("matter_no", "信访事项编号", "text", required=True, max_len=64),
    Column("received_on", "来信来访日期", "date", required=True),
    Column("channel", "信访形式", "enum", required=True, enum=enums.CHANNELS),
    Column("received_level", "接收层级", "enum", enum=enums.RECEIVED_LEVELS, default="county"),
    Column("persons", "人数", "int", default=1),
    Column("irregular", "非正常", "yesno", default=False),
)

COLUMNS: dict[str, tuple[Column, ...]] = {"matters": MATTER_COLUMNS,
                                          "submissions": SUBMISSION_COLUMNS}
#: The key column of each kind: unique in a file, the conflict target of the upsert.
KEYS: dict[str, str] = {"matters": "matter_no", "submissions": "submission_no"}

#: Stage dates of a matter in the order the process runs; each must not precede the latest
#: earlier stage that is present (DESIGN §5 "≥ registered_on", "≥ accepted_on", "ordered").
MATTER_DATE_ORDER: tuple[str, ...] = STAGE_ORDER


def by_name(kind: str) -> dict[str, Column]:
    """The columns of ``kind`` ("matters" or "submissions") by English name."""
    return {c.name: c for c in COLUMNS[kind]}
