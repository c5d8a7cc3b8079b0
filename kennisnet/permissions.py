"""Every access rule in one place, used by views (through require) and templates alike.

Routes are closed by default: a view is open to anonymous visitors only when decorated
with @public. The before-request hook in create_app() enforces that.
"""

from collections.abc import Callable

from flask import abort

PUBLIC_ATTR = "_kennisnet_public"


def public(view: Callable) -> Callable:
    """Mark a view as reachable without logging in."""
    setattr(view, PUBLIC_ATTR, True)
    return view


def is_public(view: Callable | None) -> bool:
    return bool(view is not None and getattr(view, PUBLIC_ATTR, False))


def require(allowed: bool) -> None:
    """Abort with 403 unless a rule allowed the action."""
    if not allowed:
        abort(403)


def _logged_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_admin(user) -> bool:
    return _logged_in(user) and user.site_role == "admin"


def is_moderator(user) -> bool:
    return _logged_in(user) and user.site_role in ("moderator", "admin")


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


# Exposed to every template as `can.<rule>(...)`.
TEMPLATE_RULES = {
    name: rule
    for name, rule in {
        "is_admin": is_admin,
        "is_moderator": is_moderator,
        "can_manage_users": can_manage_users,
        "can_edit_content": can_edit_content,
        "is_member_of": is_member_of,
        "can_edit_for": can_edit_for,
        "can_administer": can_administer,
        "can_view_organisation": can_view_organisation,
    }.items()
}
