"""Commands: imports (see DESIGN §5, §9)."""

from __future__ import annotations

import click

from cli.summary import finish_import, username


@click.command("import-cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(["matters", "submissions"]), default=None,
              help="What the file holds: matters or submissions (default: recognised by the "
                   "header; a submission number column means submissions).")
@click.option("--crs", type=click.Choice(["wgs84", "gcj02"]), default="wgs84",
              show_default=True,
              help="Coordinate system of lon/lat (gcj02: Amap and most Chinese apps).")
def import_cases(file: str, kind: str, crs: str) -> None:
    """Import a CSV/XLSX file of matters or submissions; rejects go to FILE.rejects.csv,
    warnings (the row landed) to FILE.warnings.csv.

    Exits 0 when every row landed, 1 when some row was rejected (or the file was unusable).
    """
    from ingest.matters import import_file
    from ingest.reader import ImportFileError

    try:
        s = import_file(file, kind=kind, crs=crs, username=username())
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    finish_import(s.kind, s)



COMMANDS = [import_cases]
