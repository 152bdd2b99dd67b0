"""Enumerations of the petition domain (DESIGN §5), with their Chinese labels.

Every enumeration is a mapping ``code -> (zh label, en label)``. Importers accept either the
code or the Chinese label; pages show the label of the user's language.
"""

from __future__ import annotations

CATEGORIES: dict[str, tuple[str, str]] = {
    "land_expropriation": ("征地", "Land expropriation"),
    "demolition": ("拆迁安置", "Demolition and resettlement"),
    "labour_wages": ("劳动工资", "Labour and wages"),
    "social_security": ("社会保障", "Social security"),
    "law_related": ("涉法涉诉", "Law-related"),
    "urban_construction": ("城乡建设", "Urban and rural construction"),
    "agriculture": ("农业农村", "Agriculture and rural affairs"),
    "civil_affairs": ("民政", "Civil affairs"),
    "veterans": ("退役军人", "Veterans"),
    "health": ("卫生健康", "Health"),
    "environment": ("生态环境", "Environment"),
    "market": ("市场监管", "Market regulation"),
    "transport": ("交通运输", "Transport"),
    "enterprise_restructuring": ("企业改制", "Enterprise restructuring"),
    "education": ("教育", "Education"),
    "discipline": ("纪检监察", "Discipline inspection"),
    "other": ("其他", "Other"),
}

NATURES: dict[str, tuple[str, str]] = {
    "claim": ("申诉求决", "Claim"),
    "accusation": ("检举控告", "Accusation"),
    "suggestion": ("建议意见", "Suggestion"),
}

ROUTES: dict[str, tuple[str, str]] = {
    "ordinary": ("普通", "Ordinary"),
    "simplified": ("简易", "Simplified"),
    "political_legal": ("政法", "Political-legal"),
    "discipline": ("纪检", "Discipline"),
    "legal_channel": ("法定途径", "Legal channel"),
}

SATISFACTION: dict[str, tuple[str, str]] = {
    "satisfied": ("满意", "Satisfied"),
    "basically_satisfied": ("基本满意", "Basically satisfied"),
    "dissatisfied": ("不满意", "Dissatisfied"),
    "not_evaluated": ("未评价", "Not evaluated"),
}

PACKAGE_LEVELS: dict[str, tuple[str, str]] = {
    "county": ("县级", "County"),
    "township": ("乡级", "Township"),
}

CHANNELS: dict[str, tuple[str, str]] = {
    "letter": ("来信", "Letter"),
    "visit": ("来访", "Visit"),
    "online": ("网上信访", "Online"),
    "phone": ("来电", "Phone"),
    "hotline_12345": ("12345转办", "12345 hotline transfer"),
    "leader_mailbox": ("领导信箱", "Leader's mailbox"),
}

RECEIVED_LEVELS: dict[str, tuple[str, str]] = {
    "township": ("乡镇", "Township"),
    "county": ("县", "County"),
    "city": ("市", "City"),
    "province": ("省", "Province"),
    "national": ("国家", "National"),
}

# Order of the levels that receive submissions; "cross-level" compares positions in it.
LEVEL_RANK: dict[str, int] = {"township": 0, "county": 1, "city": 2, "province": 3, "national": 4}

ADMIN_LEVELS: dict[str, tuple[str, str]] = {
    "prefecture": ("市", "City"),
    "county": ("县（市、区）", "County"),
    "township": ("乡镇（街道）", "Township / street"),
    "village": ("村（社区）", "Village / community"),
}

ZONE_TYPES: dict[str, tuple[str, str]] = {
    "scenic": ("景区", "Scenic zone"),
    "road": ("道路", "Road corridor"),
    "renewal": ("片区提质改造", "District upgrading"),
}

YES_NO: dict[str, bool] = {
    "yes": True, "no": False, "y": True, "n": False, "true": True, "false": False,
    "1": True, "0": False, "是": True, "否": False,
}


def lookup(enum: dict[str, tuple[str, str]], value: str) -> str | None:
    """Return the code for ``value`` given as a code or as its Chinese label, else None."""
    v = value.strip()
    if v in enum:
        return v
    return _REVERSE.setdefault(id(enum), {zh: code for code, (zh, _en) in enum.items()}).get(v)


_REVERSE: dict[int, dict[str, str]] = {}


def label(enum: dict[str, tuple[str, str]], code: str | None, lang: str = "zh") -> str:
    """The display label of ``code`` in ``lang`` ("zh" or "en"); the code itself if unknown."""
    if code is None:
        return ""
    pair = enum.get(code)
    if pair is None:
        return code
    return pair[0] if lang == "zh" else pair[1]
