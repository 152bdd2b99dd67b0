"""NBS statistical area codes: 6-digit county (or ``xxxx00`` prefecture), 9-digit township,
12-digit village."""

from __future__ import annotations

LEVEL_BY_LENGTH = {6: "county", 9: "township", 12: "village"}


def is_region_code(code: str) -> bool:
    """A prefecture code (``xxxx00``): the whole region."""
    return len(code) == 6 and code.endswith("00")


def level_of(code: str) -> str:
    """``prefecture``, ``county``, ``township`` or ``village`` by the code's shape."""
    if is_region_code(code):
        return "prefecture"
    try:
        return LEVEL_BY_LENGTH[len(code)]
    except KeyError:
        raise ValueError(f"not an area code: {code!r}") from None


def is_area_code(code: str) -> bool:
    """True for a well-formed 6, 9 or 12 digit code."""
    return isinstance(code, str) and code.isdigit() and len(code) in LEVEL_BY_LENGTH
