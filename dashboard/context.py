"""The request's user as the pages need it: scope (from the server session, never from the
browser) and language. Thin adapters over the auth package (issue 4)."""

from __future__ import annotations

from dashboard.auth import current_account, current_scope  # noqa: F401  (re-exported)
from dashboard.i18n import DEFAULT_LANG, LANGS


def current_lang() -> str:
    """The logged-in user's language (``app_user.lang``), zh-CN by default."""
    account = current_account()
    lang = getattr(account, "lang", None)
    return lang if lang in LANGS else DEFAULT_LANG


def set_lang(lang: str) -> bool:
    """Remember ``lang`` for the logged-in person; False for wall devices or nobody."""
    from queries.users import set_lang as store

    account = current_account()
    if account is None or getattr(account, "kind", "user") != "user" or lang not in LANGS:
        return False
    store(account.id, lang)
    return True


def toggle_lang() -> str:
    """Switch the logged-in person's language between Chinese and English (every page's
    language button); returns the new one."""
    lang = "en" if current_lang() == "zh" else "zh"
    set_lang(lang)
    return lang
