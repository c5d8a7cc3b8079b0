"""The directory's pages are valid HTML according to the W3C Nu checker (as test_html_valid)."""

from tests import factories_initiatives
from tests.test_html_valid import _validate
from tests.test_html_valid import vnu_jar as vnu_jar  # noqa: PLC0414 - a shared fixture

add_member = factories_initiatives.add_member

PUBLIC_PAGES = [
    "/initiatieven", "/initiatieven?provincie=utrecht&dienst=vervoer", "/initiatieven?soort=x",
    "/initiatieven/zorgcooperatie-hoogeloon", "/netwerken",
    "/netwerken/koepel-zorgcooperaties-zuid-nederland", "/initiatieven/cijfers",
]
ADMIN_PAGES = [
    "/initiatieven/zorgcooperatie-hoogeloon/bewerken",
    "/initiatieven/zorgcooperatie-hoogeloon/leden", "/initiatieven/aanmelden",
    "/initiatieven/beoordelen", "/initiatieven/verouderd", "/initiatieven/austerlitz-zorgt",
]


def test_initiative_pages_are_valid_html(vnu_jar, app, db, client, seeded, make_user, login,
                                         add_member, tmp_path):
    from sqlalchemy import select

    from kennisnet.initiatives.models import Initiative

    pages = {path: client.get(path).get_data(as_text=True) for path in PUBLIC_PAGES}
    hoogeloon = db.session.scalar(select(Initiative).where(
        Initiative.slug == "zorgcooperatie-hoogeloon"))
    admin = make_user(site_role="moderator")
    add_member(admin, hoogeloon, role="beheerder")
    add_member(make_user(), hoogeloon)
    login(admin)
    for path in ADMIN_PAGES:
        pages[path] = client.get(path).get_data(as_text=True)
    assert all("<h1" in html for html in pages.values())
    errors = _validate(vnu_jar, pages, tmp_path)
    assert errors == [], "\n".join(errors)
