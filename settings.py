"""Configuration from environment variables (and an optional ``.env``), with safe defaults.

One typed object, read once per process, as in developmentseed/tipg's ``settings.py``.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.clocks import ClockRules

DEFAULT_SECRET_KEY = "dev-only-change-me"
DEFAULT_DATA_KEY = "dev-only-data-key-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        "postgresql+psycopg2://atlas_app@127.0.0.1:5432/petition_atlas",
        description="SQLAlchemy URL the web application uses: the unprivileged role "
                    "(app_db_role) that row-level security applies to.",
    )
    admin_database_url: str | None = Field(
        None,
        description="URL of the role owning the tables (migrations, imports, user commands). "
                    "Default: database_url with user postgres.",
    )
    app_db_role: str = Field(
        "atlas_app", pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL role of the web application, subject to row-level security.",
    )
    auth_db_role: str = Field(
        "atlas_auth", pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL role of the login path: reads password hashes, nothing else.",
    )
    auth_database_url: str | None = Field(
        None,
        description="URL the login path connects with (the auth_db_role). Default: "
                    "database_url with its user replaced by auth_db_role when that user is "
                    "the application role, else database_url itself (a development setup).",
    )
    secret_key: str = Field(DEFAULT_SECRET_KEY, description="Flask session signing key.")
    # Key for the protected personal-data columns (summary, petitioner name). Keep it apart
    # from the database; rotating it needs a re-encryption run.
    data_key: str = Field(DEFAULT_DATA_KEY)
    atlas_env: str = Field("production", pattern=r"^(production|development)$",
                           description="development: the server may start with default keys.")
    tile_url: str | None = Field(None, description="XYZ tile URL of an intranet base map.")
    tile_attribution: str = ""
    redis_url: str | None = Field(None, description="Cache backend; none: a per-process cache.")
    region_code: str = "430600"
    region_name: str = "岳阳市"
    # Rules of DESIGN §3, every number a setting with its default (one place: here).
    clock_day_rule: str = "calendar"
    forward_days: int = 15
    accept_days: int = 15
    objection_workdays: int = 5
    answer_days: int = 60
    max_extension_days: int = 30
    review_days: int = 30
    recheck_days: int = 30
    due_soon_days: int = 3
    backlog_days_past_due: int = 90
    backlog_submissions_after_answer: int = 3
    package_submissions_threshold: int = Field(
        5, description="More than this many visits at the package levels in the window "
                       "need a county-level package leader.")
    package_window_days: int = 365
    package_channels: tuple[str, ...] = ("visit",)
    package_levels: tuple[str, ...] = ("city", "province", "national")
    first_resolved_days: int = 90
    # 非访黄牌警告 (DESIGN §3): a unit with this many irregular national submissions, or
    # this many irregular submissions at any level, among its matters in a month.
    irregular_card_national: int = Field(1, ge=1)
    irregular_card_any: int = Field(3, ge=1)
    collective_persons: int = 5
    large_visit_persons: int = 50
    holiday_overrides: str | None = None
    daily_report_cutoff: str = "17:00"
    timezone: str = "Asia/Shanghai"
    session_minutes: int = 30
    # Login throttling (issues 4, 11): failures per (account, address) and per address within
    # a window; past the limit that pair or address is refused until the window ends. No
    # account-wide lock: a stranger's failures never refuse the owner at another address.
    login_max_failures: int = 10
    login_lockout_minutes: int = 15
    login_address_max_failures: int = 30
    # Refused wall tokens per address and window before the address gets 429 without a lookup.
    wall_refused_max: int = 10
    # Reverse proxies in front of the server whose X-Forwarded-For/-Proto are trusted (ProxyFix).
    trusted_proxies: int = Field(0, ge=0, le=5)
    # A wall device's own cookie: its session comes back by itself after a store restart.
    wall_device_cookie_days: int = Field(365, ge=1, le=3650)
    # Reveals of personal data per user per hour (DESIGN §1.2).
    reveal_limit_per_hour: int = Field(20, ge=1)
    session_cookie_secure: bool = Field(False, description="Set behind TLS.")
    public_url: str = Field("http://127.0.0.1:8050", description="Base URL printed by wall-token.")
    log_dir: str = "var/log"

    @field_validator("database_url", "admin_database_url", mode="before")
    @classmethod
    def _psycopg2_url(cls, value):
        return normalise_db_url(value)

    @model_validator(mode="after")
    def _default_admin_url(self) -> Settings:
        from sqlalchemy.engine import make_url

        if not self.admin_database_url:
            url = make_url(self.database_url)._replace(username="postgres", password=None)
            self.admin_database_url = url.render_as_string(hide_password=False)
        if not self.auth_database_url:
            url = make_url(self.database_url)
            if url.username == self.app_db_role:
                url = url._replace(username=self.auth_db_role, password=None)
            self.auth_database_url = url.render_as_string(hide_password=False)
        return self

    def default_keys(self) -> list[str]:
        """The names of the keys still at their published development values."""
        return [name for name, value, default in (
            ("SECRET_KEY", self.secret_key, DEFAULT_SECRET_KEY),
            ("DATA_KEY", self.data_key, DEFAULT_DATA_KEY)) if value == default]

    def clock_rules(self) -> ClockRules:
        """The rules of DESIGN §3 with this configuration's values."""
        names = ("forward_days", "accept_days", "objection_workdays", "answer_days",
                 "max_extension_days", "review_days", "recheck_days", "due_soon_days",
                 "backlog_days_past_due", "backlog_submissions_after_answer",
                 "package_submissions_threshold", "package_window_days", "package_channels",
                 "package_levels", "first_resolved_days", "collective_persons",
                 "holiday_overrides")
        return ClockRules(day_rule=self.clock_day_rule,
                          **{n: getattr(self, n) for n in names})


def normalise_db_url(url: str | None) -> str | None:
    """``postgresql://…`` (the usual form) and ``postgres://…`` with the driver we ship:
    SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3, which is not installed."""
    if isinstance(url, str):
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg2://" + url[len(prefix):]
    return url


class DefaultKeyError(RuntimeError):
    """The production entry point was started with a development key."""


def check_keys(settings: Settings, *, server: bool) -> list[str]:
    """Refuse (``server``) or warn about development keys; returns the warning lines.

    With the published ``SECRET_KEY`` anyone can sign an admin session cookie, and with the
    published ``DATA_KEY`` the stored names decrypt: a server that serves people must not
    start that way. ``ATLAS_ENV=development`` allows it on a developer's machine.
    """
    names = settings.default_keys()
    if not names:
        return []
    how = ("set them to long random values, e.g. "
           + " ".join(f"{n}=$(python -c 'import secrets; print(secrets.token_hex(32))')"
                      for n in names)
           + " (keep DATA_KEY for ever once names are stored; scripts/start.sh keeps its own"
             " in var/), or set ATLAS_ENV=development on a development machine")
    if server and settings.atlas_env != "development":
        raise DefaultKeyError(f"refusing to start: {', '.join(names)} still at the development"
                              f" default. {how}. / 密钥仍为开发默认值，拒绝启动。")
    return [f"warning: {', '.join(names)} at the development default; {how}"]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
