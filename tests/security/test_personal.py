"""Reveal of personal data: allowed roles only, own jurisdiction only, each reveal audited;
logs never carry ID numbers or named personal fields."""

from __future__ import annotations

import logging

import pytest

from dashboard.auth.personal import RevealRefused, reveal_petitioner_name
from queries.scope import scope_for_user
from queries.users import get_account
from tests.security.conftest import audit_rows


def _account(engine, username):
    with engine.connect() as conn:
        return get_account(conn, username)


def test_officer_reveals_own_matter_and_it_is_audited(world, engine):
    officer = _account(engine, world.users["officer_a"])
    name = reveal_petitioner_name("SEC-A-1", scope=scope_for_user(officer), user=officer,
                                  reason="接访登记核对身份", remote_addr="10.1.2.3")
    assert name == "测试甲"
    row = audit_rows(engine, "reveal", "SEC-A-1")[-1]
    assert row["username"] == officer.username and row["role"] == "officer"
    assert row["remote_addr"] == "10.1.2.3"
    assert row["detail"] == {"field": "petitioner_name", "reason": "接访登记核对身份"}
    assert "测试甲" not in str(row)


def test_reveal_without_a_reason_is_refused(world, engine):
    officer = _account(engine, world.users["officer_a"])
    for reason in (None, "", "   ", "x"):
        with pytest.raises(RevealRefused) as info:
            reveal_petitioner_name("SEC-A-1", scope=scope_for_user(officer), user=officer,
                                   reason=reason)
        assert info.value.code == "no_reason"
    assert audit_rows(engine, "reveal_refused", "SEC-A-1")[-1]["detail"]["reason"] == \
        "no_reason"


def test_reveals_over_the_hourly_limit_are_refused(world, engine):
    from dashboard.auth.throttle import Throttles

    officer = _account(engine, world.users["officer_a"])
    throttles = Throttles("memory://", reveals_per_hour=3)
    allow = lambda: throttles.reveal_allowed(f"u:{officer.id}")  # noqa: E731
    for _ in range(3):
        assert reveal_petitioner_name("SEC-A-1", scope=scope_for_user(officer), user=officer,
                                      reason="核对", allow=allow) == "测试甲"
    with pytest.raises(RevealRefused) as info:
        reveal_petitioner_name("SEC-A-1", scope=scope_for_user(officer), user=officer,
                               reason="核对", allow=allow)
    assert info.value.code == "rate_limit"
    assert audit_rows(engine, "reveal_refused", "SEC-A-1")[-1]["detail"]["reason"] == \
        "rate_limit"


def test_reveal_outside_scope_refused_and_audited(world, engine):
    officer = _account(engine, world.users["officer_a"])
    with pytest.raises(RevealRefused):
        reveal_petitioner_name("SEC-B-1", scope=scope_for_user(officer), user=officer,
                               reason="核对")
    row = audit_rows(engine, "reveal_refused", "SEC-B-1")[-1]
    assert row["detail"]["reason"] == "not_in_scope"


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_roles_without_reveal_are_refused(world, engine, role):
    account = _account(engine, world.users[role])
    with pytest.raises(RevealRefused):
        reveal_petitioner_name("SEC-A-1", scope=scope_for_user(account), user=account)
    assert audit_rows(engine, "reveal_refused", "SEC-A-1")[-1]["detail"]["reason"] == "role"


def test_department_officer_reveals_department_matter(world, engine):
    dept = _account(engine, world.users["dept"])
    assert reveal_petitioner_name("SEC-D-1", scope=scope_for_user(dept), user=dept,
                                  reason="核对") == "测试丙"
    with pytest.raises(RevealRefused):
        reveal_petitioner_name("SEC-A-1", scope=scope_for_user(dept), user=dept, reason="核对")


def test_malformed_matter_number(world, engine):
    officer = _account(engine, world.users["officer_a"])
    with pytest.raises(ValueError):
        reveal_petitioner_name("SEC-A-1' OR '1'='1", scope=scope_for_user(officer), user=officer)


def test_log_file_redacts_personal_data(server, tmp_path):
    from dashboard.auth.logsafe import configure_logging

    logfile = configure_logging("var/log")
    start = logfile.stat().st_size
    log = logging.getLogger("petition_atlas.test")
    log.warning("import row petitioner_id=430602199001011234 petitioner_name=测试丁 ok")
    log.warning("信访人：测试戊，身份证 %s", "43060219900101123X")
    try:
        raise ValueError("bad row {'petitioner_name': '测试己'}")
    except ValueError:
        log.exception("failed")
    log.warning("GET /wall?token=SECRETTOKENVALUE123456 HTTP/1.1")
    for handler in logging.getLogger().handlers:
        handler.flush()
    with open(logfile, "rb") as fh:
        fh.seek(start)
        content = fh.read().decode("utf-8")
    for secret in ("430602199001011234", "43060219900101123X", "测试丁", "测试戊", "测试己",
                   "SECRETTOKENVALUE123456"):
        assert secret not in content
    assert "4306**********123X" in content  # an unnamed ID number keeps the masked form
    assert "[redacted]]" not in content  # redaction is idempotent across handlers


def test_audit_detail_is_cleaned(engine, world):
    from queries import audit

    audit.record("export", "SEC-A-1", {"password": "hunter2hunter2", "rows": 3,
                                        "note": "id 430602199001011234",
                                        "petitioner_name": "测试庚"},
                 user=world.users["officer_a"])
    row = audit_rows(engine, "export", "SEC-A-1")[-1]
    assert row["detail"] == {"password": "[redacted]", "rows": 3,
                             "note": "id 4306**********1234", "petitioner_name": "[redacted]"}
