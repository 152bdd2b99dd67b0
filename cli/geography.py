"""Commands: geography (DESIGN §6, §9): ``init-geo`` and ``load-boundaries``."""

from __future__ import annotations

import click


@click.command("init-geo")
def init_geo() -> None:
    """Load the reference geography: city, counties, schematic townships and villages,
    project zones. Idempotent: it resets the geography to the reference set (re-run
    load-boundaries afterwards if you had loaded your own)."""
    # Imported here: geopandas and the builders are only needed when the command runs.
    from ingest.geography import init_geo as run
    from queries.db import admin_engine

    summary = run(admin_engine())
    click.echo(
        "geography loaded: {prefecture} city, {county} counties, {township} townships, "
        "{village} villages, {zones} project zones (built in {build_seconds}s, written in "
        "{write_seconds}s); matters re-assigned: {matters_reassigned}".format(**summary))


@click.command("load-boundaries")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--level", type=click.Choice(["township", "village"]), required=True,
              help="Which units the file's polygons are.")
@click.option("--code-field", required=True, help="Field holding the 9/12-digit NBS code.")
@click.option("--name-field", required=True, help="Field holding the unit's name.")
@click.option("--gcj02", is_flag=True,
              help="Coordinates are GCJ-02 (traced on Amap/Tencent maps): convert to WGS84.")
def load_boundaries(file: str, level: str, code_field: str, name_field: str,
                    gcj02: bool) -> None:
    """Replace township or village polygons with your own file (GeoJSON, GeoPackage,
    Shapefile). Units not in the file keep their schematic cells."""
    from geo.boundaries import BoundaryError
    from ingest.geography import load_boundaries as run
    from queries.db import admin_engine

    try:
        summary = run(admin_engine(), file, level, code_field, name_field, gcj02=gcj02)
    except BoundaryError as exc:
        raise click.ClickException(f"{exc}\nNothing was changed.") from exc
    for warning in summary["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        "{replaced} {level} boundaries replaced, {kept_schematic} still schematic; "
        "{villages_redrawn} schematic villages redrawn; matters re-assigned: "
        "{matters_reassigned}".format(**summary))


COMMANDS = [init_geo, load_boundaries]
