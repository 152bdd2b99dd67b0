"""A user's jurisdiction (属地管理、分级负责, DESIGN §1.3) and the validation of unit codes.

Every read function in ``queries/`` takes a :class:`Scope` and runs inside
``queries.db.scoped(scope)``, which hands the scope to PostgreSQL row-level security as well
(the second wall). A scope is built on the server from the logged-in user
(:func:`scope_for_user`), never from anything the browser sends.

Codes: the prefecture (``settings.region_code``, 430600) means the whole region; a 6-digit
county; a 9-digit township. Departments are responsible-unit names matched against
``matter.responsible_unit``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from settings import get_settings

ROLES = ("admin", "leader", "officer", "auditor")
WALL = "wall"

_UNIT_RE = re.compile(r"[0-9]{6}(?:[0-9]{3}(?:[0-9]{3})?)?")  # ASCII digits only
_DEPARTMENT_CODE_RE = re.compile(r"[A-Za-z0-9_.-]{1,32}")


class InvalidCode(ValueError):
    """A unit or department code that is malformed or outside the region (a clear 400)."""


class RowsRefused(PermissionError):
    """A scope limited to aggregates (a wall screen) asked for individual matters or entries."""


def _region_code() -> str:
    return get_settings().region_code


def validate_unit_code(code: object, *, levels: Iterable[int] = (6, 9, 12)) -> str:
    """``code`` as a clean admin-unit code string, or :class:`InvalidCode`.

    Accepts 6 (prefecture or county), 9 (township) or 12 (village) digits inside the
    configured region; anything else — SQL fragments, whitespace, other provinces — is refused
    with a message that names the problem. Existence in ``admin_unit`` is checked separately
    (:func:`unknown_units`), where a database is at hand.
    """
    if not isinstance(code, str):
        raise InvalidCode(f"unit code must be a string of digits, got {type(code).__name__}"
                          " / 区划代码必须是数字")
    if not _UNIT_RE.fullmatch(code):
        shown = code if len(code) <= 40 else code[:40] + "…"
        raise InvalidCode(f"invalid unit code {shown!r}: expected 6, 9 or 12 digits"
                          " / 区划代码无效：应为6、9或12位数字")
    if len(code) not in tuple(levels):
        raise InvalidCode(f"unit code {code!r} has {len(code)} digits; allowed here: "
                          f"{'/'.join(str(n) for n in levels)} / 区划代码层级不符")
    region = _region_code()
    if code[:4] != region[:4]:
        raise InvalidCode(f"unit code {code!r} is outside region {region} / 区划代码不在本市范围")
    return code


def validate_department(name: object) -> str:
    """A responsible-unit name usable in a scope (non-empty, no comma, at most 100 chars)."""
    if not isinstance(name, str) or not name.strip() or len(name) > 100 or "," in name \
            or any(ord(ch) < 32 for ch in name):
        raise InvalidCode(f"invalid department name {str(name)[:40]!r} / 部门名称无效")
    return name.strip()


def validate_department_code(code: object) -> str:
    """A ``reporting_unit.code`` of a department (letters, digits, ``_.-``; at most 32)."""
    if not isinstance(code, str) or not _DEPARTMENT_CODE_RE.fullmatch(code):
        raise InvalidCode(f"invalid department code {str(code)[:40]!r} / 部门代码无效")
    return code


@dataclass(frozen=True)
class Scope:
    """What a user may see. The empty scope sees nothing (fail closed)."""

    units: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    can_reveal: bool = False  # the role may reveal personal data (each reveal is audited)
    personal_data: bool = True  # False: wall screens and auditors get no personal data at all
    # False: aggregates only (wall screens). Lists of matters, ledger entries, packages and
    # assignments refuse such a scope (require_rows), whatever a callback asks (issue 11).
    row_level: bool = True

    def __post_init__(self):
        units = tuple(dict.fromkeys(validate_unit_code(u, levels=(6, 9)) for u in self.units))
        departments = tuple(dict.fromkeys(validate_department(d) for d in self.departments))
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "departments", departments)
        if self.can_reveal and not self.personal_data:
            raise ValueError("a scope without personal data cannot reveal it")

    @classmethod
    def region(cls, *, can_reveal: bool = False, personal_data: bool = True) -> Scope:
        """The whole region (CLI commands, briefings for the city, tests)."""
        return cls(units=(_region_code(),), can_reveal=can_reveal, personal_data=personal_data)

    @classmethod
    def none(cls) -> Scope:
        """Sees nothing: auditors and anything not recognised."""
        return cls(personal_data=False)

    @property
    def is_region(self) -> bool:
        return _region_code() in self.units

    @property
    def is_empty(self) -> bool:
        return not self.units and not self.departments

    def allows(self, code: str) -> bool:
        """Whether the admin unit ``code`` lies wholly inside this scope.

        A township officer is allowed the township and its villages, not the county around it
        (a county figure would include other townships). Raises :class:`InvalidCode` for a
        malformed code, so a tampered callback input fails loudly.
        """
        code = validate_unit_code(code)
        if self.is_region:
            return True
        return any(code[:len(u)] == u for u in self.units if len(u) <= len(code))

    def sql_units(self) -> str:
        """The comma list handed to PostgreSQL as ``atlas.units``."""
        return ",".join(self.units)

    def sql_departments(self) -> str:
        return ",".join(self.departments)


# role -> (can_reveal, personal_data); the jurisdiction comes from user_scope.
ROLE_RULES: dict[str, tuple[bool, bool]] = {
    "admin": (False, True),  # manages users and settings; sees masked data only
    "leader": (True, True),
    "officer": (True, True),
    "auditor": (False, False),  # the audit log only
    WALL: (False, False),
}


def scope_for_user(user) -> Scope:
    """The scope of a logged-in user or wall device.

    ``user`` has ``role`` and ``units`` (admin-unit codes) and ``departments``
    (responsible-unit names), as :class:`queries.users.Account` does.
    """
    role = getattr(user, "role", None)
    if role not in ROLE_RULES or not getattr(user, "active", True):
        return Scope.none()
    can_reveal, personal = ROLE_RULES[role]
    if role == "auditor":
        return Scope.none()
    if role == "admin":
        return Scope.region(can_reveal=can_reveal, personal_data=personal)
    units = tuple(getattr(user, "units", ()) or ())
    departments = tuple(getattr(user, "departments", ()) or ())
    if role == WALL and not units:
        units = (_region_code(),)
    return Scope(units=units, departments=departments, can_reveal=can_reveal,
                 personal_data=personal, row_level=role != WALL)


def require_rows(scope: Scope, what: str) -> None:
    """Refuse a read of individual rows (``what``) to a scope limited to aggregates.

    The page guard already keeps wall devices to the wall's own callbacks; this is the second
    wall, in the query layer, so a new callback that forgets a role check still leaks nothing.
    """
    if not isinstance(scope, Scope):
        raise TypeError("a queries.scope.Scope is required")
    if not scope.row_level:
        raise RowsRefused(f"{what}: this scope reads aggregates only / 该账户仅可查看汇总数据")


def unknown_units(conn, codes: Iterable[str]) -> list[str]:
    """Those of ``codes`` that are not rows of ``admin_unit`` (after format validation)."""
    from sqlalchemy import text

    codes = [validate_unit_code(c) for c in codes]
    if not codes:
        return []
    found = set(conn.execute(text("SELECT code FROM admin_unit WHERE code = ANY(:c)"),
                             {"c": codes}).scalars())
    return [c for c in codes if c not in found]
