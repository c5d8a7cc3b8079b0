"""Every page of the site is valid HTML according to the W3C Nu checker (vnu.jar, offline)."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_PAGES = [
    "/", "/gids", "/gids/wat-is-het", "/gids/wie-doet-mee", "/gids/oud-of-nieuw", "/tips",
    "/tips?fase=start", "/kennisbronnen", "/inloggen", "/aanmelden", "/wachtwoord-vergeten",
    "/toegankelijkheid", "/privacy", "/bestaat-niet",
]
MEMBER_PAGES = ["/profiel", "/profiel/wachtwoord", "/profiel/mijn-gegevens",
                "/profiel/account-verwijderen"]
ADMIN_PAGES = ["/beheer/gebruikers"]


@pytest.fixture(scope="session")
def vnu_jar():
    if os.environ.get("KENNISNET_VNU_JAR"):
        return os.environ["KENNISNET_VNU_JAR"]
    result = subprocess.run(["bash", str(ROOT / "scripts/ensure-vnu.sh")], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def _validate(vnu_jar, pages: dict[str, str], folder: Path) -> list[str]:
    files = []
    for index, (path, html) in enumerate(pages.items()):
        file = folder / f"page{index}.html"
        file.write_text(html, encoding="utf-8")
        files.append((str(file), path))
    result = subprocess.run(
        ["java", "-jar", vnu_jar, "--errors-only", "--format", "json", *[f for f, _ in files]],
        capture_output=True, text=True, check=False)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    names = dict(files)
    return [f"{names.get(m.get('url', '').removeprefix('file:'), m.get('url'))}: "
            f"line {m.get('lastLine')}: {m['message']}" for m in messages]


def test_pages_are_valid_html(vnu_jar, app, client, seeded, make_user, login, tmp_path):
    from sqlalchemy import select

    from kennisnet.tips.models import Tip

    pages = {path: client.get(path).get_data(as_text=True) for path in PUBLIC_PAGES}
    tip = app.extensions["sqlalchemy"].session.scalar(select(Tip).limit(1))
    pages[f"/tips/{tip.slug}"] = client.get(f"/tips/{tip.slug}").get_data(as_text=True)
    login(make_user(site_role="admin"))
    for path in MEMBER_PAGES + ADMIN_PAGES + [f"/tips/{tip.slug}/bewerken"]:
        pages[path] = client.get(path).get_data(as_text=True)
    errors = _validate(vnu_jar, pages, tmp_path)
    assert errors == [], "\n".join(errors)
