"""`kennisnet backup [--output PATH]` and `kennisnet restore ARCHIVE [--force]`."""

import click
from flask.cli import with_appcontext


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"


def _errors():
    from kennisnet.backup.archive import ArchiveError
    from kennisnet.backup.database import DatabaseError
    from kennisnet.backup.services import BackupError

    return ArchiveError, DatabaseError, BackupError


@click.command("backup")
@click.option("--output", type=click.Path(dir_okay=True, writable=True),
              help="Archive name ending in .tar.gz, or a folder (default: instance/backups/).")
@with_appcontext
def backup_command(output):
    """Archive a consistent online snapshot of the database, the uploads and a manifest."""
    from kennisnet.backup.services import make_backup

    try:
        result = make_backup(output)
    except _errors() as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:  # a full disk or a missing folder: no archive was written
        raise click.ClickException(f"Back-up mislukt, er is geen archief gemaakt: {error}") \
            from error
    manifest = result.manifest
    uploaded = sum(entry["size"] for entry in manifest["files"].values())
    click.echo(f"Back-up gemaakt: {result.path}")
    click.echo(f"  database: {manifest['dialect']}, {sum(manifest['tables'].values())} rijen in "
               f"{len(manifest['tables'])} tabellen, revisie {manifest['alembic_revision'] or '-'}")
    click.echo(f"  bestanden: {len(manifest['files'])} ({_size(uploaded)})")
    click.echo(f"  archief: {_size(result.size)} in {result.seconds:.1f} s")
    damaged = manifest["missing_files"] + manifest["damaged_files"]
    if damaged:
        raise click.ClickException(
            f"{len(damaged)} bestanden ontbraken of waren beschadigd vóór de back-up, "
            f"bijvoorbeeld {damaged[0]}. Zie missing_files en damaged_files in manifest.json.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True,
              help="Overwrite a database that already holds data (the data is lost).")
@with_appcontext
def restore_command(archive, force):
    """Put a back-up into an empty instance, verify it and rebuild the search index.

    Stop the site and its workers first."""
    from kennisnet.backup.services import restore_archive

    try:
        result = restore_archive(archive, force=force)
    except _errors() as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(f"Terugzetten mislukt: {error}") from error
    manifest = result.manifest
    click.echo(f"Back-up van {manifest['created_at']} teruggezet ({manifest['dialect']}, "
               f"kennisnet {manifest['app_version']}, revisie "
               f"{manifest['alembic_revision'] or '-'}).")
    click.echo(f"  gecontroleerd: {sum(manifest['tables'].values())} rijen in "
               f"{len(manifest['tables'])} tabellen en {len(manifest['files'])} bestanden; "
               "database in orde")
    click.echo(f"  zoekindex herbouwd: {result.indexed} items")
    click.echo(f"  klaar in {result.seconds:.1f} s")
    click.echo("Draai `kennisnet db upgrade` als deze versie van kennisnet nieuwer is.")


@click.command("restore-drill")
@click.argument("archive", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--max-age-hours", type=float, default=26.0, show_default=True,
              help="Fail when the archive is older: a nightly back-up that stopped.")
@click.option("--max-minutes", type=float, default=30.0, show_default=True,
              help="Fail when restoring took longer than the site may be down.")
@with_appcontext
def restore_drill_command(archive, max_age_hours, max_minutes):
    """Restore the newest back-up (or ARCHIVE) into a scratch instance, check it, remove it.

    The site keeps running. Run it nightly after the back-up; it fails loudly when the
    back-up is too old, cannot be restored, or restores into something that differs."""
    from pathlib import Path

    from kennisnet.backup.drill import newest_archive, run_drill

    try:
        result = run_drill(Path(archive) if archive else newest_archive())
    except _errors() as error:
        raise click.ClickException(f"Oefening mislukt: {error}") from error
    except OSError as error:
        raise click.ClickException(f"Oefening mislukt: {error}") from error
    click.echo(f"Oefening met {result.archive.name}, {result.age_hours:.1f} uur oud:")
    click.echo(f"  teruggezet en gecontroleerd: {result.rows} rijen in {result.tables} tabellen "
               f"en {result.files} bestanden")
    click.echo(f"  zoekindex herbouwd: {result.indexed} items, "
               f"{result.index_differences} verschillen met de database")
    click.echo(f"  hersteltijd {result.restore_seconds:.1f} s; de oefenkopie is weer weg")
    problems = []
    if result.age_hours > max_age_hours:
        problems.append(f"de back-up is {result.age_hours:.0f} uur oud (grens "
                        f"{max_age_hours:g} uur): maakt de nachtelijke back-up nog archieven?")
    if result.restore_seconds > max_minutes * 60:
        problems.append(f"terugzetten duurde {result.restore_seconds / 60:.1f} minuten "
                        f"(grens {max_minutes:g})")
    if result.damaged_before:
        problems.append(f"{result.damaged_before} bestanden ontbraken of waren beschadigd al "
                        "vóór de back-up (zie `kennisnet documents check`)")
    if result.index_differences:
        problems.append(f"de zoekindex wijkt op {result.index_differences} plaatsen af")
    if problems:
        raise click.ClickException("Oefening mislukt: " + "; ".join(problems) + ".")
    click.echo("Oefening geslaagd.")
