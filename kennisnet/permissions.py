"""Every access rule in one place, used by views (through require) and templates alike.

Routes are closed by default: a view is open to anonymous visitors only when decorated
with @public. The before-request hook in create_app() enforces that.
"""

from collections.abc import Callable

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

PUBLIC_ATTR = "_kennisnet_public"
STAFF_ROLES = ("moderator", "admin")


def public(view: Callable) -> Callable:
    """Mark a view as reachable without logging in."""
    setattr(view, PUBLIC_ATTR, True)
    return view


def is_public(view: Callable | None) -> bool:
    return bool(view is not None and getattr(view, PUBLIC_ATTR, False))


def require(allowed: bool) -> None:
    """Abort with 403 unless a rule allowed the action. A moderator or administrator without a
    second factor is sent to set one up instead, since that is what stands in the way."""
    if allowed:
        return
    if needs_second_factor(current_user):
        flash(_("Als moderator of beheerder stel je eerst tweestapsverificatie in. Daarna kun je "
                "modereren en beheren. Tot die tijd kun je alles doen wat een lid kan."), "info")
        abort(redirect(url_for("twofactor.setup")))
    abort(403)


def _logged_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# Moderators and administrators see reported posts that may hold health data, so their powers
# need a confirmed second factor (TOTP); for members it is optional. This is the documented
# deviation from ASVS 6.3.3 (see the README). Without it they keep every member's right.
def has_second_factor(user) -> bool:
    credential = getattr(user, "totp_credential", None)  # added by kennisnet.twofactor.models
    return credential is not None and credential.confirmed_at is not None


def needs_second_factor(user) -> bool:
    return _logged_in(user) and user.site_role in STAFF_ROLES and not has_second_factor(user)


def is_admin(user) -> bool:
    return _logged_in(user) and user.site_role == "admin" and has_second_factor(user)


def is_moderator(user) -> bool:
    return _logged_in(user) and user.site_role in STAFF_ROLES and has_second_factor(user)


def can_manage_users(user) -> bool:
    return is_admin(user)


def can_edit_content(user) -> bool:
    """Guide pages, tips and kennisbronnen are edited by site administrators."""
    return is_admin(user)


def membership_role(user, organisation) -> str | None:
    if not _logged_in(user) or organisation is None:
        return None
    for membership in organisation.memberships:
        if membership.user_id == user.id:
            return membership.role
    return None


def is_member_of(user, organisation) -> bool:
    return membership_role(user, organisation) is not None


def can_edit_for(user, organisation) -> bool:
    """Editors and administrators publish for their organisation; moderators may too."""
    return membership_role(user, organisation) in ("redacteur", "beheerder") or is_moderator(user)


def can_administer(user, organisation) -> bool:
    return membership_role(user, organisation) == "beheerder" or is_moderator(user)


def can_view_organisation(user, organisation) -> bool:
    if organisation.is_approved:
        return True
    return is_member_of(user, organisation) or is_moderator(user)


def _anyone(_user, _row) -> bool:
    return True


# Which rule decides whether a search hit of each kind may be shown. A kind without a rule is
# never shown, so a new searchable domain must add its rule here.
SEARCH_HIT_RULES = {
    "gids": _anyone,
    "tip": _anyone,
    "kennisbron": _anyone,
    "initiatief": can_view_organisation,
    "netwerk": can_view_organisation,
}


def can_view_search_hit(user, kind: str, row, visibility: str = "public") -> bool:
    """Whether a search hit, snippet included, may be shown: members-only items need a login,
    and the item's own viewing rule must allow it."""
    if visibility != "public" and not _logged_in(user):
        return False
    rule = SEARCH_HIT_RULES.get(kind)
    return bool(rule and rule(user, row))


# Exposed to every template as `can.<rule>(...)`.
TEMPLATE_RULES = {
    name: rule
    for name, rule in {
        "is_admin": is_admin,
        "is_moderator": is_moderator,
        "needs_second_factor": needs_second_factor,
        "has_second_factor": has_second_factor,
        "can_manage_users": can_manage_users,
        "can_edit_content": can_edit_content,
        "is_member_of": is_member_of,
        "can_edit_for": can_edit_for,
        "can_administer": can_administer,
        "can_view_organisation": can_view_organisation,
    }.items()
}


# --- Forum (issue 6) ---------------------------------------------------------------------

def can_moderate_forum(user) -> bool:
    return is_moderator(user)


def _is_author(user, post) -> bool:
    return _logged_in(user) and post.author_id == user.id


def can_view_post(user, post) -> bool:
    """Published posts are open to all; pending and hidden ones to their author and moderators;
    deleted ones to moderators only."""
    if post.is_public:
        return True
    if post.deleted_at is not None:
        return can_moderate_forum(user)
    return _is_author(user, post) or can_moderate_forum(user)


def can_ask(user) -> bool:
    return _logged_in(user)


def can_answer(user, question) -> bool:
    return _logged_in(user) and question.accepts_answers


def _question_of(post):
    return post if post.post_type == "question" else post.question


def can_edit_post(user, post) -> bool:
    if post.deleted_at is not None:
        return False
    if can_moderate_forum(user):
        return True
    return _is_author(user, post) and not _question_of(post).is_locked


def can_delete_post(user, post) -> bool:
    return post.deleted_at is None and (_is_author(user, post) or can_moderate_forum(user))


def can_vote(user, answer) -> bool:
    return (_logged_in(user) and not _is_author(user, answer) and answer.is_public
            and not answer.question.is_locked)


def can_accept(user, answer) -> bool:
    question = answer.question
    return (_is_author(user, question) and answer.is_public and not question.is_locked
            and question.deleted_at is None)


def can_report(user, post) -> bool:
    return _logged_in(user) and not _is_author(user, post) and post.deleted_at is None


def can_follow(user, question) -> bool:
    return _logged_in(user) and question.is_public


SEARCH_HIT_RULES["question"] = can_view_post
TEMPLATE_RULES.update({
    "can_moderate_forum": can_moderate_forum, "can_view_post": can_view_post, "can_ask": can_ask,
    "can_answer": can_answer, "can_edit_post": can_edit_post, "can_delete_post": can_delete_post,
    "can_vote": can_vote, "can_accept": can_accept, "can_report": can_report,
    "can_follow": can_follow,
})


# --- Agenda (events) ---------------------------------------------------------------------

def _can_find_event(user, event) -> bool:
    """Cancelled events stay visible on the agenda but are no longer found by search."""
    return not event.is_cancelled


def can_create_event(user) -> bool:
    """Anyone who edits for at least one organisation, and moderators."""
    if not _logged_in(user):
        return False
    if is_moderator(user):
        return True
    from sqlalchemy import select

    from kennisnet.extensions import db
    from kennisnet.initiatives.models import Membership

    return db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.role.in_(("redacteur", "beheerder")),
    ).limit(1)) is not None


def can_edit_event(user, event) -> bool:
    """Editors of the event's organisation manage it, its series and its participant list."""
    return can_edit_for(user, event.organisation)


def can_register_for_event(user, event) -> bool:
    return _logged_in(user) and event.is_registration_required and not event.is_cancelled


def can_see_online_link(user, event, is_registered: bool) -> bool:
    """The meeting link is for participants (and organisers) only."""
    return is_registered or can_edit_event(user, event)


SEARCH_HIT_RULES["event"] = _can_find_event
TEMPLATE_RULES.update({
    "can_create_event": can_create_event, "can_edit_event": can_edit_event,
    "can_register_for_event": can_register_for_event, "can_see_online_link": can_see_online_link,
})


# --- Initiatives and networks (issue 7) -------------------------------------------------

def can_register_initiative(user) -> bool:
    return _logged_in(user)


def can_moderate_organisations(user) -> bool:
    """Approve registrations and see the list of possibly outdated profiles."""
    return is_moderator(user)


def can_edit_profile(user, organisation) -> bool:
    return can_administer(user, organisation)


def can_manage_members(user, organisation) -> bool:
    """Invite, accept join requests and hand out the editor role."""
    return can_administer(user, organisation) and organisation.is_approved


def can_request_membership(user, organisation) -> bool:
    return (_logged_in(user) and organisation.is_approved
            and not is_member_of(user, organisation))


TEMPLATE_RULES.update({
    "can_register_initiative": can_register_initiative,
    "can_moderate_organisations": can_moderate_organisations,
    "can_edit_profile": can_edit_profile, "can_manage_members": can_manage_members,
    "can_request_membership": can_request_membership,
})


# --- Documents (issue 4) -----------------------------------------------------------------
# documents/queries.py `visible_documents` mirrors can_view_document in SQL; keep them in step.

def can_upload_document(user) -> bool:
    return _logged_in(user)


def can_edit_document(user, document) -> bool:
    """The uploader, editors of the document's organisation, and moderators."""
    if not _logged_in(user):
        return False
    if document.owner_id == user.id or is_moderator(user):
        return True
    return document.organisation is not None and can_edit_for(user, document.organisation)


def can_view_document(user, document) -> bool:
    if can_edit_document(user, document):
        return True
    if document.published_at is None or document.is_hidden:
        return False
    if document.visibility == "openbaar":
        return True
    if document.visibility == "leden":
        return _logged_in(user)
    return is_member_of(user, document.organisation)


def can_report_document(user, document) -> bool:
    return _logged_in(user) and document.owner_id != user.id and can_view_document(user, document)


def can_hide_document(user) -> bool:
    return is_moderator(user)


SEARCH_HIT_RULES["document"] = can_view_document
TEMPLATE_RULES.update({
    "can_upload_document": can_upload_document, "can_edit_document": can_edit_document,
    "can_view_document": can_view_document, "can_report_document": can_report_document,
    "can_hide_document": can_hide_document,
})
