"""`kennisnet reset-2fa EMAIL`: for someone who lost the phone and the recovery codes."""

import click
from flask.cli import with_appcontext


@click.command("reset-2fa")
@click.argument("email")
@with_appcontext
def reset_2fa_command(email):
    """Turn off a user's second factor and log them out everywhere."""
    from kennisnet.accounts import services as accounts
    from kennisnet.database import writing
    from kennisnet.extensions import db
    from kennisnet.twofactor import services

    with writing():
        user = accounts.find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"Geen account met {email}.")
        had_it = services.is_enabled(user)
        services.disable(user)
        # Whoever has the lost phone may also hold a session; the owner logs in afresh.
        accounts.end_all_sessions(user)
        db.session.commit()
    if had_it:
        click.echo(f"Tweestapsverificatie van {user.email} staat uit; log opnieuw in en stel het "
                   "opnieuw in.")
    else:
        click.echo(f"{user.email} had geen tweestapsverificatie; alle sessies zijn beëindigd.")
