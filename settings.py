"""Configuration from environment variables (and an optional ``.env``), with safe defaults.

One typed object, read once per process, as in developmentseed/tipg's ``settings.py``.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.clocks import ClockRules


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        "postgresql+psycopg2://postgres@127.0.0.1:5432/petition_atlas",
        description="SQLAlchemy URL of the PostGIS database the application reads.",
    )
    admin_database_url: str | None = Field(
        None, description="Owner URL for migrations and data loading; default: DATABASE_URL.")
    secret_key: str = Field("dev-only-change-me", description="Flask session signing key.")
    # Key for the protected personal-data columns (summary, petitioner name). Keep it apart
    # from the database; rotating it needs a re-encryption run.
    data_key: str = Field("dev-only-data-key-change-me")
    tile_url: str | None = Field(None, description="XYZ tile URL of an intranet base map.")
    tile_attribution: str = ""
    redis_url: str | None = Field(None, description="Cache backend; none: a per-process cache.")
    region_code: str = "430600"
    region_name: str = "岳阳市"
    # Clock rules (DESIGN §3)
    clock_day_rule: str = "calendar"
    due_soon_days: int = 3
    backlog_days_past_due: int = 90
    holiday_overrides: str | None = None
    daily_report_cutoff: str = "17:00"
    timezone: str = "Asia/Shanghai"
    session_minutes: int = 30

    def clock_rules(self) -> ClockRules:
        return ClockRules(day_rule=self.clock_day_rule, due_soon_days=self.due_soon_days,
                          backlog_days_past_due=self.backlog_days_past_due,
                          holiday_overrides=self.holiday_overrides)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
