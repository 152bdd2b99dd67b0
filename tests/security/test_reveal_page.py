"""Finding 8: a matter's detail (the Backlog page's timeline) shows the masked petitioner and
the ID's last four; the reveal asks for a reason, is limited per hour and audited."""

from __future__ import annotations

from sqlalchemy import text

from tests.security.conftest import audit_rows, decoded
from tests.security.test_wall import _routing_body, routing_output


def _detail(client, matter_no):
    body = _routing_body("/backlog", routing_output(client))
    body["inputs"][1]["value"] = f"?matter={matter_no}"
    return client.post("/_dash-update-component", json=body,
                       headers={"X-CSRFToken": client.get_cookie("_csrf_token").value})


def _reveal(client, reason, matter_no="SEC-A-1"):
    body = {"output": "..bl-reveal-out.children...bl-pet-name.children..",
            "outputs": [{"id": "bl-reveal-out", "property": "children"},
                        {"id": "bl-pet-name", "property": "children"}],
            "inputs": [{"id": "bl-reveal-go", "property": "n_clicks", "value": 1}],
            "state": [{"id": "bl-reveal-reason", "property": "value", "value": reason},
                      {"id": "bl-reveal-matter", "property": "data", "value": matter_no}],
            "changedPropIds": ["bl-reveal-go.n_clicks"]}
    return client.post("/_dash-update-component", json=body,
                       headers={"X-CSRFToken": client.get_cookie("_csrf_token").value})


def test_detail_shows_masked_name_and_last_four(client_for, world, engine):
    with engine.begin() as conn:
        conn.execute(text("UPDATE matter SET petitioner_id_last4 = '123X'"
                          " WHERE matter_no = 'SEC-A-1'"))
    page = decoded(_detail(client_for(world.users["officer_a"]), "SEC-A-1"))
    assert "测**" in page and "**************123X" in page and "查看全名" in page
    assert "测试甲" not in page
    # An admin sees the masked name but has no reveal.
    admin = decoded(_detail(client_for(world.users["admin"]), "SEC-A-1"))
    assert "测**" in admin and "查看全名" not in admin


def test_reveal_needs_a_reason_and_is_audited(client_for, world, engine):
    client = client_for(world.users["leader_a"])
    r = _reveal(client, "  ")
    assert "请填写查看原因" in decoded(r) and "测试甲" not in decoded(r)
    assert audit_rows(engine, "reveal_refused", "SEC-A-1")[-1]["detail"]["reason"] == \
        "no_reason"
    r = _reveal(client, "信访接待核对身份")
    assert r.json["response"]["bl-pet-name"]["children"] == "测试甲"
    row = audit_rows(engine, "reveal", "SEC-A-1")[-1]
    assert row["username"] == world.users["leader_a"] and row["role"] == "leader"
    assert row["detail"] == {"field": "petitioner_name", "reason": "信访接待核对身份"}


def test_reveal_limit_per_hour(server, client_for, world, engine):
    from settings import get_settings

    client = client_for(world.users["officer_a"])
    limit = get_settings().reveal_limit_per_hour
    names = [_reveal(client, "核对身份").json["response"].get("bl-pet-name") for _ in
             range(limit + 2)]
    assert sum(1 for n in names if n and n["children"] == "测试甲") == limit
    r = _reveal(client, "核对身份")
    assert "本小时查看次数已达上限" in decoded(r)
    assert audit_rows(engine, "reveal_refused", "SEC-A-1")[-1]["detail"]["reason"] == \
        "rate_limit"
