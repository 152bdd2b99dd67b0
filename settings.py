"""Configuration from environment variables (and an optional ``.env``), with safe defaults.

One typed object, read once per process, as in developmentseed/tipg's ``settings.py``.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.clocks import ClockRules


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
    secret_key: str = Field("dev-only-change-me", description="Flask session signing key.")
    # Key for the protected personal-data columns (summary, petitioner name). Keep it apart
    # from the database; rotating it needs a re-encryption run.
    data_key: str = Field("dev-only-data-key-change-me")
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
    # Login throttling (issue 4): the (n+1)-th failure in a row is refused until the cool-down ends.
    login_max_failures: int = 10
    login_lockout_minutes: int = 15
    session_cookie_secure: bool = Field(False, description="Set behind TLS.")
    public_url: str = Field("http://127.0.0.1:8050", description="Base URL printed by wall-token.")
    log_dir: str = "var/log"

    @field_validator("database_url", "admin_database_url", mode="before")
    @classmethod
    def _psycopg2_url(cls, value):
        return normalise_db_url(value)

    @model_validator(mode="after")
    def _default_admin_url(self) -> Settings:
        if not self.admin_database_url:
            from sqlalchemy.engine import make_url

            url = make_url(self.database_url)._replace(username="postgres", password=None)
            self.admin_database_url = url.render_as_string(hide_password=False)
        return self

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
