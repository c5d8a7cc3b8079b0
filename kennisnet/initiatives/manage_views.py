"""Registering, approving and editing initiatives; memberships, invitations and freshness."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from kennisnet.database import utcnow
from kennisnet.extensions import db
from kennisnet.initiatives import queries, services
from kennisnet.initiatives.blueprint import bp
from kennisnet.initiatives.forms import ConfirmForm, InitiativeForm, InviteForm, JoinForm, RoleForm
from kennisnet.initiatives.models import Initiative, JoinRequest, Membership, Organisation
from kennisnet.permissions import (
    can_edit_profile,
    can_manage_members,
    can_moderate_organisations,
    can_register_initiative,
    can_request_membership,
    public,
    require,
)
from kennisnet.vocab import MEMBERSHIP_ROLES


def organisation_or_404(slug: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        abort(404)
    return organisation


def profile_url(organisation: Organisation) -> str:
    if isinstance(organisation, Initiative):
        return url_for("initiatives.detail", slug=organisation.slug)
    return url_for("initiatives.network", slug=organisation.slug)


@bp.route("/initiatieven/aanmelden", methods=["GET", "POST"])
def register():
    require(can_register_initiative(current_user))
    form = InitiativeForm()
    if form.validate_on_submit():
        initiative = services.register_initiative(current_user, form.data)
        db.session.commit()
        flash(_("Bedankt! Een moderator bekijkt je aanmelding. Daarna staat %(name)s op kennisnet.",
                name=initiative.name), "success")
        return redirect(url_for("initiatives.detail", slug=initiative.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("initiatives/form.html", form=form, initiative=None), status


@bp.route("/initiatieven/<slug>/bewerken", methods=["GET", "POST"])
def edit(slug):
    initiative = organisation_or_404(slug)
    if not isinstance(initiative, Initiative):
        abort(404)
    require(can_edit_profile(current_user, initiative))
    form = InitiativeForm(obj=initiative)
    if request.method == "GET":
        form.services.data = initiative.service_keys
    if form.validate_on_submit():
        services.update_profile(initiative, form.data)
        db.session.commit()
        flash(_("Het profiel is bijgewerkt."), "success")
        return redirect(url_for("initiatives.detail", slug=initiative.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("initiatives/form.html", form=form, initiative=initiative), status


@bp.route("/initiatieven/beoordelen")
def review():
    require(can_moderate_organisations(current_user))
    return render_template("initiatives/review.html", waiting=queries.awaiting_approval(),
                           form=ConfirmForm())


@bp.route("/initiatieven/<slug>/goedkeuren", methods=["POST"])
def approve(slug):
    require(can_moderate_organisations(current_user))
    organisation = organisation_or_404(slug)
    if ConfirmForm().validate_on_submit() and not organisation.is_approved:
        services.approve(organisation)
        db.session.commit()
        flash(_("%(name)s is goedgekeurd.", name=organisation.name), "success")
    return redirect(url_for("initiatives.review"))


@bp.route("/initiatieven/<slug>/afwijzen", methods=["POST"])
def refuse(slug):
    require(can_moderate_organisations(current_user))
    organisation = organisation_or_404(slug)
    if organisation.is_approved:
        abort(409)
    if ConfirmForm().validate_on_submit():
        name = organisation.name
        services.refuse(organisation)
        db.session.commit()
        flash(_("De aanmelding van %(name)s is afgewezen.", name=name), "success")
    return redirect(url_for("initiatives.review"))


@bp.route("/initiatieven/verouderd")
def outdated():
    require(can_moderate_organisations(current_user))
    return render_template("initiatives/outdated.html", organisations=queries.outdated(utcnow()),
                           profile_url=profile_url)


# Memberships ------------------------------------------------------------------------------------

@bp.route("/initiatieven/<slug>/lid-worden", methods=["POST"])
def join(slug):
    organisation = organisation_or_404(slug)
    require(can_request_membership(current_user, organisation))
    form = JoinForm()
    if form.validate_on_submit():
        try:
            services.request_membership(current_user, organisation, form.message.data or "")
        except services.MembershipError as error:
            flash(str(error), "error")
            return redirect(profile_url(organisation))
        db.session.commit()
        flash(_("Je verzoek is verstuurd naar de beheerders."), "success")
    return redirect(profile_url(organisation))


@bp.route("/initiatieven/<slug>/leden")
def members(slug):
    organisation = organisation_or_404(slug)
    require(can_manage_members(current_user, organisation))
    return _members_page(organisation, InviteForm())


def _members_page(organisation, invite_form, status=200):
    return render_template(
        "initiatives/members.html", organisation=organisation, invite_form=invite_form,
        memberships=queries.memberships_of(organisation), roles=MEMBERSHIP_ROLES,
        join_requests=queries.join_requests_for(organisation), form=ConfirmForm(),
        invitations=queries.open_invitations(organisation), profile_url=profile_url(organisation),
    ), status


@bp.route("/initiatieven/<slug>/uitnodigen", methods=["POST"])
def invite(slug):
    organisation = organisation_or_404(slug)
    require(can_manage_members(current_user, organisation))
    form = InviteForm()
    if not form.validate_on_submit():
        return _members_page(organisation, form, 422)
    services.invite(organisation, form.email.data, current_user)
    db.session.commit()
    flash(_("De uitnodiging is verstuurd naar %(email)s.", email=form.email.data), "success")
    return redirect(url_for("initiatives.members", slug=slug))


@bp.route("/initiatieven/<slug>/leden/<int:membership_id>/rol", methods=["POST"])
def set_role(slug, membership_id):
    organisation = organisation_or_404(slug)
    require(can_manage_members(current_user, organisation))
    membership = _belonging_to(organisation, Membership, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Kies een geldige rol."), "error")
        return redirect(url_for("initiatives.members", slug=slug))
    try:
        services.set_role(membership, form.role.data)
    except services.MembershipError as error:
        flash(str(error), "error")
        return redirect(url_for("initiatives.members", slug=slug))
    db.session.commit()
    flash(_("De rol van %(name)s is aangepast.", name=membership.user.display_name), "success")
    return redirect(url_for("initiatives.members", slug=slug))


@bp.route("/initiatieven/<slug>/verzoeken/<int:request_id>", methods=["POST"])
def answer_request(slug, request_id):
    organisation = organisation_or_404(slug)
    require(can_manage_members(current_user, organisation))
    join_request = _belonging_to(organisation, JoinRequest, request_id)
    decision = request.form.get("besluit")
    if decision not in ("accepteren", "weigeren"):
        abort(400)
    if ConfirmForm().validate_on_submit():
        name = join_request.user.display_name
        services.answer_join_request(join_request, accept=decision == "accepteren")
        db.session.commit()
        flash(_("%(name)s is nu lid.", name=name) if decision == "accepteren"
              else _("Het verzoek van %(name)s is geweigerd.", name=name), "success")
    return redirect(url_for("initiatives.members", slug=slug))


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def invitation(token):
    found = services.find_invitation(token)
    if found is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.accept_invitation(found, current_user)
        db.session.commit()
        flash(_("Welkom! Je bent nu lid van %(name)s.", name=found.organisation.name), "success")
        return redirect(profile_url(found.organisation))
    return render_template("initiatives/invitation.html", invitation=found, form=form)


# Freshness --------------------------------------------------------------------------------------

@bp.route("/initiatieven/<slug>/bevestigen", methods=["POST"])
def confirm(slug):
    organisation = organisation_or_404(slug)
    require(can_edit_profile(current_user, organisation))
    if ConfirmForm().validate_on_submit():
        services.confirm(organisation)
        db.session.commit()
        flash(_("Dank je! We hebben genoteerd dat het profiel nog klopt."), "success")
    return redirect(profile_url(organisation))


@bp.route("/initiatieven/<slug>/bevestigen/<token>", methods=["GET", "POST"])
@public
def confirm_with_token(slug, token):
    """The link from the "Klopt dit nog?" e-mail: works without logging in."""
    organisation = services.organisation_for_confirm_token(token)
    if organisation is None or organisation.slug != slug:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.confirm(organisation)
        db.session.commit()
        flash(_("Dank je! We hebben genoteerd dat het profiel nog klopt."), "success")
        return redirect(profile_url(organisation))
    return render_template("initiatives/confirm.html", organisation=organisation, form=form,
                           profile_url=profile_url(organisation))


def _belonging_to(organisation, model, row_id: int):
    """The row of `model` with this id, or 404 when it belongs to another organisation: an id
    in the URL must not reach into someone else's members."""
    row = db.session.get(model, row_id)
    if row is None or row.organisation_id != organisation.id:
        abort(404)
    return row
