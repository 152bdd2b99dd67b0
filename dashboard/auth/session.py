"""The logged-in principal (a person or a wall device) and its scope, for pages and callbacks."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import AnonymousUserMixin, UserMixin, current_user

from queries import audit
from queries.scope import WALL, Scope, scope_for_user
from queries.users import Account, load_account, load_wall_device

# Pages a role may open when a page does not say (``dash.register_page(..., roles=(...))``).
DEFAULT_PAGE_ROLES = ("admin", "leader", "officer")
HOME = {"auditor": "/audit", WALL: "/wall"}


class SessionUser(UserMixin):
    """flask-login's view of an :class:`~queries.users.Account`."""

    def __init__(self, account: Account):
        self.account = account

    def get_id(self) -> str:
        return self.account.session_id

    def __getattr__(self, name):  # username, role, units, departments, kind, lang, ...
        return getattr(self.account, name)

    @property
    def is_wall(self) -> bool:
        return self.account.kind == WALL


class Anonymous(AnonymousUserMixin):
    role = None
    username = None
    is_wall = False
    account = None


def load_user(session_id: str) -> SessionUser | None:
    """flask-login's user loader: re-reads the account on each request, so deactivating a
    user, changing their password, role or units (a new ``session_epoch``) or revoking a wall
    token ends the session at its next request."""
    kind, _, rest = (session_id or "").partition(":")
    raw, _, epoch = rest.partition(":")
    if not raw.isdigit():
        return None
    if kind == "u":
        account = load_account(int(raw))
        if account is None or epoch != str(account.epoch):
            return None
    elif kind == "w" and not epoch:
        account = load_wall_device(int(raw))
    else:
        return None
    return SessionUser(account) if account else None


def current_account() -> Account | None:
    return current_user.account if current_user and current_user.is_authenticated else None


def current_scope() -> Scope:
    """The scope of the request's user; the empty scope when nobody is logged in, and for a
    wall device (it reads through :func:`wall_scope`, on the wall page only).

    Every layout function and callback that reads data calls this — never a unit code taken
    from the browser as the jurisdiction.
    """
    account = current_account()
    if account is None or account.kind == WALL:
        return Scope.none()
    return scope_for_user(account)


def wall_scope() -> Scope:
    """The scope of the wall page's reads: the wall device's jurisdiction (aggregates only,
    no personal data) or, for a person opening ``/wall``, their own scope."""
    account = current_account()
    return scope_for_user(account) if account else Scope.none()


def home_for(role: str | None) -> str:
    return HOME.get(role, "/")


def page_allows(page: dict, role: str | None) -> bool:
    """Whether ``role`` may open a Dash page (registry entry). Wall devices: ``/wall`` only."""
    if role is None:
        return False
    if role == WALL:
        return page.get("path") == "/wall"
    return role in page.get("roles", DEFAULT_PAGE_ROLES)


def remote_addr() -> str | None:
    return request.remote_addr if has_request_context() else None


def audit_event(action: str, target: str | None = None, detail: dict | None = None,
                user=None) -> None:
    """``queries.audit.record`` with the request's user and address filled in."""
    if user is None:
        user = current_account()
    audit.record(action, target, detail, user=user, remote_addr=remote_addr())
