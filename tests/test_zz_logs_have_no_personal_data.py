"""Runs last (file name order): the log files written during the whole test run must not carry
any petitioner's name or ID number (issue 4, DESIGN §1.2).

The suite imports synthetic people named 测试甲…/演示甲… with checksummed ID numbers; the log
files are ``var/log/*.log`` (application log, gunicorn logs of browser-test servers).
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# An 18-character resident ID standing alone (not inside a hex hash or a longer token), with a
# valid ISO 7064 check character.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _is_id_number(text: str) -> bool:
    total = sum(int(d) * w for d, w in zip(text[:17], WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == text[17].upper()
TEST_NAMES = re.compile(r"(测试|演示)[甲乙丙丁戊己庚辛壬癸][一二三四五六七八九十]?")


def _log_files():
    return [p for p in (ROOT / "var" / "log").glob("*.log*") if p.is_file()]


def test_logs_were_written():
    files = _log_files()
    assert files, "no log file under var/log: the check below would prove nothing"
    assert sum(p.stat().st_size for p in files) > 0


def test_no_id_numbers_or_petitioner_names_in_logs():
    offenders = []
    for path in _log_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        ids = [m.group(0) for m in ID_NUMBER.finditer(text) if _is_id_number(m.group(0))]
        names = TEST_NAMES.search(text)
        for found in ids[:1] + ([names.group(0)] if names else []):
            offenders.append(f"{path.name}: {found[:2]}…")
    assert not offenders, offenders
