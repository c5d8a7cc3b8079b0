"""What each role may do on every route: the explicit table the authorisation matrix checks.

Every rule in app.url_map has one entry, keyed by its pattern; a new route without an entry
fails tests/test_authorisation_matrix.py. Outcomes are one letter per role, in the order
anonymous, member, other, moderator, admin:

    A  allowed: the request gets past every access check (2xx, 3xx, or 400/409/422 on the
       deliberately empty form the matrix posts)
    L  redirected to the login page
    F  refused with 403
    N  404: the object does not exist for this role (we do not even say that it exists)
    R  redirected elsewhere without acting (for example a logged-in visitor on /inloggen)

"member" owns the objects (and administers initiative A); "other" administers initiative B.
Objects a role may change are that role's own copy of an object of the member / initiative A
(see tests/crawl_support.py). `args` maps each URL argument to a world object (a str) or a
literal value; `idor` lists the methods for which the member, pointed at initiative B's object
instead, must be refused. `stage` orders requests so destructive ones come last.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    get: str | None = None
    post: str | None = None
    args: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    idor: tuple = ()
    stage: int = 1


EVERYONE = "AAAAA"
MEMBERS = "LAAAA"
MODERATORS = "LFFAA"
ADMINS = "LFFFA"
OWNER = "LAFAA"            # the member's own object; moderators may act on it too
OWNER_ONLY = "LAFFF"
ANONYMOUS_ONLY = "ARRRR"

EVENT = {"event_id": "event"}
SERIES = {"event_id": "series", "key": "occurrence"}
DOCUMENT = {"document_id": "document"}
QUESTION = {"question_id": "question"}
ORG_A = {"slug": "org"}

TABLE: dict[str, Entry] = {
    # --- Main, accounts, administration
    "/": Entry(get=EVERYONE),
    "/toegankelijkheid": Entry(get=EVERYONE),
    "/privacy": Entry(get=EVERYONE),
    "/taal": Entry(post=EVERYONE),
    "/aanmelden": Entry(get=ANONYMOUS_ONLY, post=ANONYMOUS_ONLY),
    "/aanmelden/controleer-je-mail": Entry(get=EVERYONE),
    "/bevestigen/<token>": Entry(get=EVERYONE, post=EVERYONE, args={"token": "confirm_token"},
                                 stage=3),
    "/inloggen": Entry(get=ANONYMOUS_ONLY, post=ANONYMOUS_ONLY),
    "/uitloggen": Entry(post=MEMBERS, stage=10),
    "/sessie/verlengen": Entry(post=MEMBERS),
    # --- Second factor and privacy self-service (password and code protected; the empty form
    # the matrix posts changes nothing)
    "/inloggen/code": Entry(get=ANONYMOUS_ONLY, post=ANONYMOUS_ONLY),
    "/tweestapsverificatie": Entry(get=MEMBERS),
    "/tweestapsverificatie/instellen": Entry(get=MEMBERS, post=MEMBERS),
    "/tweestapsverificatie/instellen/start": Entry(post=MEMBERS, stage=5),
    # Only while a set-up is under way; nobody has one when the matrix reads it.
    "/tweestapsverificatie/instellen/qr.svg": Entry(get="LNNNN"),
    "/tweestapsverificatie/herstelcodes": Entry(post=MEMBERS),
    "/tweestapsverificatie/uitzetten": Entry(post=MEMBERS),
    "/profiel/mijn-gegevens": Entry(get=MEMBERS, post=MEMBERS),
    "/profiel/account-verwijderen": Entry(get=MEMBERS, post=MEMBERS, stage=9),
    "/wachtwoord-vergeten": Entry(get=EVERYONE, post=EVERYONE),
    "/nieuw-wachtwoord/<token>": Entry(get=EVERYONE, post=EVERYONE, args={"token": "reset_token"}),
    "/profiel": Entry(get=MEMBERS, post=MEMBERS),
    "/profiel/wachtwoord": Entry(get=MEMBERS, post=MEMBERS),
    "/beheer/gebruikers": Entry(get=ADMINS),
    "/beheer/gebruikers/<int:user_id>/rol": Entry(post=ADMINS, args={"user_id": "stranger_id"}),
    # --- Static files
    "/static/<path:filename>": Entry(get=EVERYONE, args={"filename": "css/forum.css"}),
    "/static/vendor/leaflet/<path:filename>": Entry(get=EVERYONE,
                                                    args={"filename": "leaflet.js"}),
    "/static/vendor/leaflet.markercluster/<path:filename>": Entry(
        get=EVERYONE, args={"filename": "leaflet.markercluster.js"}),
    # --- Guide, tips, sources
    "/gids": Entry(get=EVERYONE),
    "/gids/<slug>": Entry(get=EVERYONE, args={"slug": "guide"}),
    "/gids/<slug>/bewerken": Entry(get=ADMINS, post=ADMINS, args={"slug": "guide"}),
    "/tips": Entry(get=EVERYONE),
    "/tips/<slug>": Entry(get=EVERYONE, args={"slug": "tip"}),
    "/tips/<slug>/bewerken": Entry(get=ADMINS, post=ADMINS, args={"slug": "tip"}),
    "/kennisbronnen": Entry(get=EVERYONE),
    # --- Search
    "/zoeken": Entry(get=EVERYONE, query={"q": "statuten"}),
    "/zoeken/suggesties": Entry(get=EVERYONE, query={"q": "stat"}),
    # --- Documents
    "/documenten": Entry(get=EVERYONE),
    "/documenten/nieuw": Entry(get=MEMBERS, post=MEMBERS),
    "/documenten/voorbeeldstatuten": Entry(get=EVERYONE),
    "/documenten/vergelijk": Entry(get=EVERYONE, query={"links": "public_document",
                                                        "rechts": "public_document"}),
    "/documenten/<int:document_id>": Entry(get="NANAA", args=DOCUMENT, idor=("GET",)),
    "/documenten/<int:document_id>/download": Entry(get="NANAA", args=DOCUMENT,
                                                    idor=("GET",)),
    "/documenten/<int:document_id>/versies/<int:number>/download": Entry(
        get="NANAA", args={**DOCUMENT, "number": "version"}, idor=("GET",)),
    "/documenten/<int:document_id>/bewerken": Entry(get="LANAA", post="LANAA", args=DOCUMENT,
                                                    idor=("GET", "POST")),
    "/documenten/<int:document_id>/nieuwe-versie": Entry(get="LANAA", post="LANAA",
                                                         args=DOCUMENT, idor=("GET", "POST")),
    "/documenten/<int:document_id>/versies/<int:number>/publiceren": Entry(
        post="LANAA", args={**DOCUMENT, "number": "version"}, idor=("POST",)),
    "/documenten/<int:document_id>/melden": Entry(post="LFAAA", args={
        "document_id": "public_document"}),
    "/documenten/<int:document_id>/verbergen": Entry(post="LFNAA", args=DOCUMENT, stage=2),
    "/documenten/<int:document_id>/verwijderen": Entry(get="LANAA", post="LANAA", args=DOCUMENT,
                                                       idor=("GET", "POST"), stage=8),
    # --- Agenda
    "/agenda": Entry(get=EVERYONE),
    "/agenda/archief": Entry(get=EVERYONE),
    "/agenda.ics": Entry(get=EVERYONE),
    "/agenda/maand/<int:year>/<int:month>": Entry(get=EVERYONE, args={"year": 2026,
                                                                       "month": 11}),
    "/agenda/<int:event_id>": Entry(get=EVERYONE, args=EVENT),
    "/agenda/<int:event_id>.ics": Entry(get=EVERYONE, args=EVENT),
    "/agenda/nieuw": Entry(get="LAAAA", post="LAAAA"),
    "/agenda/<int:event_id>/bewerken": Entry(get=OWNER, post=OWNER, args=EVENT,
                                             idor=("GET", "POST")),
    "/agenda/<int:event_id>/deelnemers": Entry(get=OWNER, post=OWNER, args=EVENT,
                                               idor=("GET", "POST")),
    "/agenda/<int:event_id>/deelnemers.csv": Entry(get=OWNER, args=EVENT, idor=("GET",)),
    "/agenda/<int:event_id>/keer/<key>/wijzigen": Entry(get=OWNER, post=OWNER, args=SERIES,
                                                         idor=("GET", "POST")),
    "/agenda/<int:event_id>/keer/<key>/afgelasten": Entry(post=OWNER, args=SERIES,
                                                           idor=("POST",), stage=7),
    "/agenda/<int:event_id>/aanmelden": Entry(post=MEMBERS, args=EVENT),
    "/agenda/<int:event_id>/afmelden": Entry(post=MEMBERS, args=EVENT, stage=6),
    "/agenda/<int:event_id>/afgelasten": Entry(post=OWNER, args=EVENT, idor=("POST",),
                                               stage=7),
    "/agenda/mijn": Entry(get=MEMBERS),
    "/agenda/mijn/link": Entry(post=MEMBERS, stage=5),
    "/agenda/mijn/<token>.ics": Entry(get=EVERYONE, args={"token": "calendar_token"}),
    # --- Forum
    "/forum": Entry(get=EVERYONE),
    "/forum/onbeantwoord": Entry(get=EVERYONE),
    "/forum/atom": Entry(get=EVERYONE),
    "/forum/onbeantwoord/atom": Entry(get=EVERYONE),
    "/forum/onderwerp/<slug>": Entry(get=EVERYONE, args={"slug": "tag_slug"}),
    "/forum/onderwerp/<slug>/atom": Entry(get=EVERYONE, args={"slug": "tag_slug"}),
    "/forum/provincie": Entry(get=EVERYONE),
    "/forum/provincie/<province>": Entry(get=EVERYONE, args={"province": "utrecht"}),
    "/forum/provincie/<province>/atom": Entry(get=EVERYONE, args={"province": "utrecht"}),
    "/forum/vergelijkbaar": Entry(get=EVERYONE, query={"titel": "vervoer"}),
    "/forum/mijn-vragen": Entry(get=MEMBERS),
    "/forum/mijn-vragen/atom/<token>": Entry(get=EVERYONE, args={"token": "feed_token"}),
    "/forum/vragen/nieuw": Entry(get=MEMBERS, post=MEMBERS),
    "/forum/vraag/<int:question_id>": Entry(get=EVERYONE, args=QUESTION),
    "/forum/vraag/<int:question_id>/antwoord": Entry(post=MEMBERS, args=QUESTION),
    "/forum/vraag/<int:question_id>/volgen": Entry(post=MEMBERS, args=QUESTION),
    "/forum/vraag/<int:post_id>/bewerken": Entry(get=OWNER, post=OWNER,
                                                 args={"post_id": "question"},
                                                 idor=("GET", "POST")),
    "/forum/vraag/<int:post_id>/geschiedenis": Entry(get=EVERYONE, args={"post_id": "question"}),
    "/forum/vraag/<int:post_id>/melden": Entry(get="LFAAA", post="LFAAA",
                                               args={"post_id": "question"}),
    "/forum/vraag/<int:post_id>/verwijderen": Entry(post=OWNER, args={"post_id": "question"},
                                                    idor=("POST",), stage=8),
    "/forum/antwoord/<int:answer_id>/stem": Entry(post=MEMBERS, args={"answer_id": "answer"}),
    "/forum/antwoord/<int:answer_id>/accepteren": Entry(post=OWNER_ONLY,
                                                        args={"answer_id": "answer"}),
    "/forum/antwoord/<int:post_id>/bewerken": Entry(get=OWNER, post=OWNER,
                                                    args={"post_id": "own_answer"},
                                                    idor=("GET", "POST")),
    "/forum/antwoord/<int:post_id>/geschiedenis": Entry(get=EVERYONE,
                                                        args={"post_id": "own_answer"}),
    "/forum/antwoord/<int:post_id>/melden": Entry(get="LFAAA", post="LFAAA",
                                                  args={"post_id": "own_answer"}),
    "/forum/antwoord/<int:post_id>/verwijderen": Entry(post=OWNER,
                                                       args={"post_id": "own_answer"},
                                                       idor=("POST",), stage=8),
    "/forum/afmelden/<token>": Entry(get=EVERYONE, post=EVERYONE,
                                     args={"token": "unfollow_token"}),
    "/forum/moderatie": Entry(get=MODERATORS),
    "/forum/moderatie/vraag/<int:post_id>/<action>": Entry(
        post=MODERATORS, args={"post_id": "question", "action": "close"}, stage=4),
    "/forum/moderatie/antwoord/<int:post_id>/<action>": Entry(
        post=MODERATORS, args={"post_id": "own_answer", "action": "approve"}, stage=4),
    "/forum/moderatie/antwoord/<int:post_id>/verplaatsen": Entry(
        get=MODERATORS, post=MODERATORS, args={"post_id": "own_answer"}),
    "/forum/moderatie/vraag/<int:post_id>/samenvoegen": Entry(
        get=MODERATORS, post=MODERATORS, args={"post_id": "question"}),
    "/forum/moderatie/logboek/<int:action_id>/ongedaan": Entry(post=MODERATORS,
                                                               args={"action_id": "action"}),
    "/forum/moderatie/onderwerpen": Entry(get=MODERATORS, post=MODERATORS),
    "/forum/moderatie/onderwerpen/<int:tag_id>": Entry(post=MODERATORS,
                                                       args={"tag_id": "tag"}),
    # --- Initiatives, networks and their open data
    "/initiatieven": Entry(get=EVERYONE),
    "/initiatieven.geojson": Entry(get=EVERYONE),
    "/initiatieven/cijfers": Entry(get=EVERYONE),
    "/initiatieven/<slug>": Entry(get=EVERYONE, args=ORG_A),
    "/netwerken": Entry(get=EVERYONE),
    "/netwerken/<slug>": Entry(get=EVERYONE, args={"slug": "network"}),
    "/initiatieven/aanmelden": Entry(get=MEMBERS, post=MEMBERS),
    "/initiatieven/beoordelen": Entry(get=MODERATORS),
    "/initiatieven/verouderd": Entry(get=MODERATORS),
    "/initiatieven/<slug>/goedkeuren": Entry(post=MODERATORS, args={"slug": "pending"}),
    "/initiatieven/<slug>/afwijzen": Entry(post=MODERATORS, args={"slug": "pending"}, stage=8),
    "/initiatieven/<slug>/bewerken": Entry(get=OWNER, post=OWNER, args=ORG_A,
                                           idor=("GET", "POST")),
    "/initiatieven/<slug>/bevestigen": Entry(post=OWNER, args=ORG_A, idor=("POST",)),
    "/initiatieven/<slug>/bevestigen/<token>": Entry(
        get=EVERYONE, post=EVERYONE, args={"slug": "org", "token": "org_confirm_token"}),
    "/initiatieven/<slug>/leden": Entry(get=OWNER, args=ORG_A, idor=("GET",)),
    "/initiatieven/<slug>/uitnodigen": Entry(post=OWNER, args=ORG_A, idor=("POST",)),
    "/initiatieven/<slug>/leden/<int:membership_id>/rol": Entry(
        post=OWNER, args={"slug": "org", "membership_id": "membership"}, idor=("POST",)),
    "/initiatieven/<slug>/verzoeken/<int:request_id>": Entry(
        post=OWNER, args={"slug": "org", "request_id": "join_request"}, idor=("POST",)),
    "/initiatieven/<slug>/lid-worden": Entry(post="LFAAA", args=ORG_A),
    # Accepting makes the role a member of A, so it comes after everything A's members may do.
    "/uitnodiging/<token>": Entry(get=MEMBERS, post=MEMBERS, args={"token": "invitation"},
                                  stage=9),
    "/api/v1/initiatives": Entry(get=EVERYONE),
    "/api/v1/initiatives/<slug>": Entry(get=EVERYONE, args=ORG_A),
    "/api/v1/networks": Entry(get=EVERYONE),
    "/api/v1/networks/<slug>": Entry(get=EVERYONE, args={"slug": "network"}),
    "/api/v1/events": Entry(get=EVERYONE),
    "/api/v1/openapi.json": Entry(get=EVERYONE),
}
