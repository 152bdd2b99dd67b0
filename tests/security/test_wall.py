"""Wall-screen device tokens: exchanged for a session, no personal data, dead once revoked."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

from click.testing import CliRunner
from sqlalchemy import text

from cli.accounts import revoke_wall_token, wall_token
from tests.security.conftest import audit_rows, decoded


def _new_token(world, unit=None) -> tuple[str, str]:
    name = f"room-{world.tag}"
    args = ["--name", name] + (["--unit", unit] if unit else [])
    result = CliRunner().invoke(wall_token, args)
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert url.startswith("http://127.0.0.1:8050/wall?token=")
    return name, parse_qs(urlsplit(url).query)["token"][0]


def routing_output(client) -> str:
    """The output key of Dash's page-routing callback, as the browser learns it."""
    deps = client.get("/_dash-dependencies").json
    return next(d["output"] for d in deps if "_pages_content.children" in d["output"])


ROUTING_OUTPUT = ".._pages_content.children..._pages_store.data.."


def _routing_body(pathname: str, output: str = ROUTING_OUTPUT) -> dict:
    return {"output": output,
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def test_wall_token_lifecycle(server, world, engine):
    name, token = _new_token(world)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM wall_token WHERE name = :n"),
                              {"n": name}).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored

    client = server.test_client()
    r = client.get(f"/wall?token={token}")
    assert r.status_code == 302 and r.headers["Location"] == "/wall"  # token leaves the URL
    assert client.get("/wall").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    # A wall device reaches /wall only.
    assert client.get("/").headers["Location"] == "/wall"
    assert client.get("/audit").headers["Location"] == "/wall"
    csrf = client.get_cookie("_csrf_token").value
    for pathname in ("/", "/audit"):
        r = client.post("/_dash-update-component", json=_routing_body(pathname),
                        headers={"X-CSRFToken": csrf})
        assert r.status_code == 403
    assert audit_rows(engine, "wall_login", f"wall:{name}")

    result = CliRunner().invoke(revoke_wall_token, ["--name", name])
    assert result.exit_code == 0 and "revoked 1" in result.output
    assert client.get("/wall").status_code == 302  # the live session dies with the token
    assert client.get("/_dash-layout").status_code == 401
    again = server.test_client().get(f"/wall?token={token}")
    assert again.status_code == 403
    assert server.test_client().get("/_dash-layout").status_code == 401
    assert audit_rows(engine, "wall_refused")


def test_wall_scope_has_no_personal_data(server, world):
    import pytest

    from dashboard.auth.personal import RevealRefused, masked_name, reveal_petitioner_name
    from queries.scope import scope_for_user
    from queries.users import wall_device_for_token

    _name, token = _new_token(world, unit="430621")
    device = wall_device_for_token(token)
    scope = scope_for_user(device)
    assert device.role == "wall" and scope.units == ("430621",)
    assert not scope.personal_data and not scope.can_reveal
    assert masked_name(scope, "测**") is None
    with pytest.raises(RevealRefused):
        reveal_petitioner_name("SEC-A-1", scope=scope, user=device)


def test_wall_page_html_carries_no_personal_data(server, world):
    _name, token = _new_token(world)
    client = server.test_client()
    client.get(f"/wall?token={token}")
    csrf = client.get_cookie("_csrf_token").value
    pages = [client.get("/wall").text, decoded(client.get("/_dash-layout"))]
    r = client.post("/_dash-update-component",
                    json=_routing_body("/wall", routing_output(client)),
                    headers={"X-CSRFToken": csrf})
    assert r.status_code == 200
    pages.append(decoded(r))
    assert "_pages_content" in pages[-1]
    for body in pages:
        for secret in ("测试甲", "测试乙", "测试丙", "测**"):
            assert secret not in body


def test_bad_tokens_are_refused(server, world):
    client = server.test_client()
    for bad in ("", "x", "A" * 43, "' OR 1=1 --", "A" * 5000):
        r = client.get("/wall", query_string={"token": bad})
        assert r.status_code == 403
        assert client.get("/_dash-layout").status_code == 401
