"""The period options of ``ranking`` and ``briefing`` (issue 16, half-year evaluation 半年评议):
``--month YYYY-MM``, or ``--from YYYY-MM --to YYYY-MM`` (whole months), or ``--half YYYYH1|H2``.
Exactly one form must be given."""

from __future__ import annotations

import click

from queries.filters import Period


def period_options(fn):
    """Add ``--month``, ``--from``, ``--to`` and ``--half`` to a command."""
    for decorator in reversed((
            click.option("--month", default=None, metavar="YYYY-MM",
                         help="One calendar month."),
            click.option("--from", "from_month", default=None, metavar="YYYY-MM",
                         help="First month of a longer period (with --to)."),
            click.option("--to", "to_month", default=None, metavar="YYYY-MM",
                         help="Last month of a longer period (with --from)."),
            click.option("--half", default=None, metavar="YYYYH1|YYYYH2",
                         help="A half year: H1 January–June, H2 July–December."))):
        fn = decorator(fn)
    return fn


def resolve_period(month: str | None, from_month: str | None, to_month: str | None,
                   half: str | None, parse_month=Period.parse_month) -> Period:
    """The one period the options name; a click error for none, several or a malformed one.
    ``parse_month``: the command's own month parser (the briefing's checks the range)."""
    given = [month is not None, from_month is not None or to_month is not None,
             half is not None]
    if sum(given) != 1:
        raise click.UsageError("give one of --month, --from/--to or --half / "
                               "须指定 --month、--from/--to 或 --half 之一")
    try:
        if month is not None:
            return parse_month(month)
        if half is not None:
            return Period.parse_half(half)
        if from_month is None or to_month is None:
            raise click.UsageError("--from and --to go together / --from 与 --to 须同时指定")
        first, last = parse_month(from_month), parse_month(to_month)
        if last.end < first.start:
            raise ValueError(f"--to {to_month} is before --from {from_month} / "
                             "结束月份早于开始月份")
        return Period(first.start, last.end)
    except click.UsageError:
        raise
    except ValueError as exc:
        hint = "--month" if month is not None else ("--half" if half else "--from/--to")
        raise click.BadParameter(str(exc), param_hint=hint) from None
