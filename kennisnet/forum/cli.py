"""`kennisnet forum tags` loads the starting topic list; `kennisnet forum rerender` refreshes
stored HTML after the Markdown renderer changed."""

import click
from sqlalchemy import select

DEFAULT_TAGS = (
    "Samenwerking zorg- en welzijnsorganisaties", "Toekomstbestendigheid",
    "Samenwerking gemeente", "Beginnen", "Financiering en contributie", "Vrijwilligers",
    "Juridische vorm", "Communicatie", "Huisvesting", "Vervoer", "Maaltijden",
    "Dorpsondersteuner",
)


@click.group("forum")
def forum_group():
    """Het forum beheren."""


@forum_group.command("tags")
def load_tags():
    """Add the starting topics that are missing (idempotent)."""
    from kennisnet.database import writing
    from kennisnet.extensions import db
    from kennisnet.forum.services import ensure_tags

    with writing():
        added = ensure_tags(DEFAULT_TAGS)
        db.session.commit()
    click.echo(f"{added} onderwerpen toegevoegd.")


@forum_group.command("rerender")
def rerender():
    """Store fresh HTML for every post rendered by an older renderer."""
    from kennisnet.database import writing
    from kennisnet.extensions import db
    from kennisnet.forum.models import Answer, Question
    from kennisnet.forum.rendering import RENDER_VERSION

    count = 0
    with writing():
        for model in (Question, Answer):
            stale = select(model).where(model.html_version != RENDER_VERSION)
            for post in db.session.scalars(stale):
                post.set_body(post.body)
                count += 1
        db.session.commit()
    click.echo(f"{count} berichten opnieuw opgemaakt.")
