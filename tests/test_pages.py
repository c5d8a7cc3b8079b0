import pytest
from sqlalchemy import select

from kennisnet.tips.models import GuidePage, Tip


def test_home_shows_tips_and_guide(client, seeded):
    html = client.get("/").get_data(as_text=True)
    assert "Hoe begin je?" in html and "Hoe gaat het groeien?" in html
    assert "Luister goed naar wat mensen willen" in html


def test_guide_pages_render_with_quotes(client, seeded, db):
    for page in db.session.scalars(select(GuidePage)):
        response = client.get(f"/gids/{page.slug}")
        assert response.status_code == 200, page.slug
        assert f"<h1>{page.title}</h1>" in response.get_data(as_text=True)
    html = client.get("/gids/waarom").get_data(as_text=True)
    assert "<blockquote>" in html
    assert "Het is heel leuk om je nuttig te maken voor je" in html


def test_roles_page_names_every_role(client, seeded):
    html = client.get("/gids/wie-doet-mee").get_data(as_text=True)
    for role in ("Initiatiefnemer", "Bestuur", "Zorgcoördinator", "Dorpsondersteuner",
                 "Mantelzorger", "Vrijwilliger", "Professional"):
        assert role in html, role


def test_tip_list_filters_by_phase(client, seeded):
    start = client.get("/tips?fase=start").get_data(as_text=True)
    growth = client.get("/tips?fase=groei").get_data(as_text=True)
    assert "Organiseer informatiebijeenkomsten." in start
    assert "Organiseer informatiebijeenkomsten." not in growth
    assert "Durf te dromen." in growth and "Durf te dromen." not in start
    everything = client.get("/tips?fase=onzin").get_data(as_text=True)
    assert "Durf te dromen." in everything and "Organiseer informatiebijeenkomsten." in everything


def test_tip_page_links_to_its_guide_page(client, seeded, db):
    tip = db.session.scalar(select(Tip).where(Tip.phase == "groei", Tip.number == 3))
    html = client.get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert tip.title in html
    assert f'href="/gids/{tip.guide_page.slug}"' in html


def test_sources_grouped_by_level(client, seeded):
    html = client.get("/kennisbronnen").get_data(as_text=True)
    assert html.index('id="lokaal"') < html.index('id="regionaal"') < html.index('id="landelijk"')
    assert "Vilans" in html and "Austerlitz" in html


@pytest.mark.parametrize("path", ["/gids/bestaat-niet", "/tips/bestaat-niet"])
def test_unknown_slugs_are_404(client, seeded, path):
    assert client.get(path).status_code == 404


def test_markdown_is_sanitised():
    from kennisnet.markdown import render_markdown

    html = str(render_markdown('<script>alert(1)</script> [x](javascript:alert(1)) '
                               '<img src=x onerror=alert(1)> **vet**'))
    assert "<script" not in html and "<img" not in html  # escaped as text, never a tag
    assert 'href="javascript' not in html
    assert "<strong>vet</strong>" in html


def test_admin_edits_a_tip_and_seed_keeps_it(client, csrf_token, make_user, login, seeded, db):
    from kennisnet.seed import seed_all

    tip = db.session.scalar(select(Tip).where(Tip.phase == "start", Tip.number == 2))
    login(make_user(site_role="admin"))
    page = client.get(f"/tips/{tip.slug}/bewerken")
    assert page.status_code == 200
    response = client.post(f"/tips/{tip.slug}/bewerken", data={
        "csrf_token": csrf_token(page), "title": tip.title,
        "explanation": "Nieuwe uitleg van de beheerder.", "quote": "", "quote_by": ""})
    assert response.status_code == 302
    seed_all()
    db.session.commit()
    db.session.refresh(tip)
    assert tip.explanation == "Nieuwe uitleg van de beheerder."
    assert "Nieuwe uitleg van de beheerder." in client.get(f"/tips/{tip.slug}").get_data(
        as_text=True)


def test_admin_guide_edit_keeps_input_on_error(client, csrf_token, make_user, login, seeded):
    login(make_user(site_role="admin"))
    page = client.get("/gids/waarom/bewerken")
    response = client.post("/gids/waarom/bewerken", data={
        "csrf_token": csrf_token(page), "title": "", "summary": "Bewaard", "body": "Tekst"})
    assert response.status_code == 422
    assert "Bewaard" in response.get_data(as_text=True)


def test_members_cannot_edit_content(client, csrf_token, make_user, login, seeded):
    login(make_user())
    assert client.get("/gids/waarom/bewerken").status_code == 403
    assert client.get("/tips").status_code == 200


def test_plain_text_holds_characters_not_entities():
    from kennisnet.markdown import plain_text

    assert plain_text("Zorg & **welzijn**") == "Zorg & welzijn"
