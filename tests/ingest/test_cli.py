"""``flask --app app import-cases``: summary, warnings, exit codes, no personal data."""

from __future__ import annotations

import pytest
from flask import Flask

from cli import imports, register_commands
from tests.ingest.conftest import id_number, matter_row, write_csv, wrong_check


@pytest.fixture
def runner(engine, clean):
    # The command reads DATABASE_URL (the test database, set by tests/conftest.py).
    server = Flask("ingest-cli-test")
    register_commands(server)
    return server.test_cli_runner()


def test_the_command_is_registered():
    assert imports.COMMANDS == [imports.import_cases]


def test_exit_0_when_every_row_landed(runner, tmp_path):
    path = write_csv(tmp_path / "m.csv", [matter_row("C1"), matter_row("C2", notes="x")])
    result = runner.invoke(args=["import-cases", str(path)])
    assert result.exit_code == 0, result.output
    assert "新增 inserted 2, 更新 updated 0, 未变 unchanged 0, 拒绝 rejected 0" in result.stdout
    assert "ignored unknown columns: notes" in result.stderr
    assert not (tmp_path / "m.csv.rejects.csv").exists()
    again = runner.invoke(args=["import-cases", str(path), "--kind", "matters"])
    assert again.exit_code == 0
    assert "inserted 0, 更新 updated 0, 未变 unchanged 2, 拒绝 rejected 0" in again.stdout


def test_exit_1_when_a_row_was_rejected_and_no_personal_data_is_printed(runner, tmp_path):
    name, number = "测试戊己", id_number("43060219700707007")
    rows = [matter_row("C3", petitioner_name=name, petitioner_id=number),
            matter_row("C4", petitioner_name=name, petitioner_id=wrong_check(number)),
            matter_row("C6", category="pets", petitioner_name=name, petitioner_id=number)]
    path = write_csv(tmp_path / "m.csv", rows)
    result = runner.invoke(args=["import-cases", str(path), "--crs", "gcj02"])
    assert result.exit_code == 1
    assert ("新增 inserted 2, 更新 updated 0, 未变 unchanged 0, 拒绝 rejected 1, 警告 warned 1"
            in result.stdout)
    assert f"rejects: {path}.rejects.csv" in result.stdout
    assert f"warnings: {path}.warnings.csv" in result.stdout
    for secret in (name, number, wrong_check(number), number[:14]):
        assert secret not in result.output
        for kind in ("rejects", "warnings"):
            assert secret not in (tmp_path / f"m.csv.{kind}.csv").read_text(
                encoding="utf-8-sig")


def test_exit_0_when_only_warnings(runner, tmp_path):
    """A mistyped ID is a warning: every matter lands and the command succeeds."""
    number = id_number("43060219700707007")
    path = write_csv(tmp_path / "w.csv", [
        matter_row("C7", petitioner_id=wrong_check(number)), matter_row("C8")])
    result = runner.invoke(args=["import-cases", str(path)])
    assert result.exit_code == 0, result.output
    assert "拒绝 rejected 0, 警告 warned 1" in result.stdout


def test_a_submissions_file_is_recognised_by_its_header(runner, tmp_path):
    runner.invoke(args=["import-cases", str(write_csv(tmp_path / "m.csv",
                                                      [matter_row("C9")]))])
    subs = write_csv(tmp_path / "s.csv", [{"信访件编号": "IT-S-C9", "信访事项编号": "IT-M-C9",
                                            "来信来访日期": "2024-03-02", "信访形式": "来访"}])
    result = runner.invoke(args=["import-cases", str(subs)])
    assert result.exit_code == 0, result.output
    assert "submissions: 新增 inserted 1" in result.stdout


def test_exit_1_with_a_message_when_the_file_is_unusable(runner, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("submission_no,received_on\nS1,2024-01-01\n", encoding="utf-8")
    result = runner.invoke(args=["import-cases", str(path), "--kind", "submissions"])
    assert result.exit_code == 1
    assert "missing required column(s): matter_no (信访事项编号), channel (信访形式)" in (
        result.stderr)


def test_submissions_kind_exit_codes(runner, tmp_path):
    runner.invoke(args=["import-cases", str(write_csv(tmp_path / "m.csv", [matter_row("C5")]))])
    good = write_csv(tmp_path / "s.csv", [{"submission_no": "IT-S-C1", "matter_no": "IT-M-C5",
                                           "received_on": "2024-03-02", "channel": "online"}])
    assert runner.invoke(args=["import-cases", str(good), "--kind", "submissions"]
                         ).exit_code == 0
    bad = write_csv(tmp_path / "s2.csv", [{"submission_no": "IT-S-C2", "matter_no": "IT-M-NO",
                                           "received_on": "2024-03-02", "channel": "online"}])
    result = runner.invoke(args=["import-cases", str(bad), "--kind", "submissions"])
    assert result.exit_code == 1 and "拒绝 rejected 1" in result.stdout
