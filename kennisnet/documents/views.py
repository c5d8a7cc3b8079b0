from contextlib import contextmanager

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kennisnet import submissions
from kennisnet.documents import preview, queries, services, storage
from kennisnet.documents.downloads import file_response
from kennisnet.documents.forms import MetadataForm, ReportForm, UploadForm, VersionForm
from kennisnet.documents.models import Document, DocumentVersion
from kennisnet.documents.vocab import DOCUMENT_TYPES, EXTRACTION_ERRORS, PII_LABELS, SORTS
from kennisnet.documents.worker import record_download
from kennisnet.extensions import db
from kennisnet.permissions import (
    can_edit_document,
    can_hide_document,
    can_report_document,
    can_upload_document,
    can_view_document,
    public,
    require,
)
from kennisnet.routing import MAX_ID, id_arg, page_arg
from kennisnet.vocab import LEGAL_FORMS, PROVINCES

bp = Blueprint("documents", __name__, url_prefix="/documenten")

UPLOAD_ENDPOINTS = {"documents.upload", "documents.new_version"}
FORM_SLACK = 256 * 1024  # the other form fields and multipart boundaries


def file_limit() -> int:
    return current_app.config["MAX_CONTENT_LENGTH"]


@bp.url_value_preprocessor
def _allow_upload_size(endpoint, _values):
    # Runs before every before_request hook (CSRF parses the form there), so the request-wide
    # limit leaves room for a file of exactly the configured size plus the other fields.
    if endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        request.max_content_length = file_limit() + FORM_SLACK


def _visible_or_404(document_id: int) -> Document:
    # ?links= and ?rechts= can hold any number; beyond MAX_ID no id exists (and the database
    # would raise instead of finding nothing).
    document = db.session.get(Document, document_id) if 0 < document_id <= MAX_ID else None
    if document is None or not can_view_document(current_user, document):
        abort(404)
    return document


def _editable_or_404(document_id: int) -> Document:
    document = _visible_or_404(document_id)
    require(can_edit_document(current_user, document))
    return document


def _filters() -> dict:
    args = request.args
    organisation = args.get("organisatie", "")
    return {
        "soort": args.get("soort") if args.get("soort") in DOCUMENT_TYPES else "",
        "rechtsvorm": args.get("rechtsvorm") if args.get("rechtsvorm") in LEGAL_FORMS else "",
        "provincie": args.get("provincie") if args.get("provincie") in PROVINCES else "",
        "organisatie": id_arg(organisation),
        "van": " ".join(args.get("van", "").split())[:80],
        "trefwoord": args.get("trefwoord", "").strip().lower()[:40],
    }


@bp.route("")
@public
def library():
    filters = _filters()
    sort = request.args.get("sorteer") if request.args.get("sorteer") in SORTS else "nieuwste"
    page = request.args.get("pagina", 1, type=int)
    pagination = queries.library_page(current_user, filters, sort, page_arg(page))
    return render_template(
        "documents/library.html", pagination=pagination, filters=filters, sort=sort, sorts=SORTS,
        types=DOCUMENT_TYPES, legal_forms=LEGAL_FORMS,
        organisation=queries.filter_organisation(filters["organisatie"]),
        tags=queries.popular_tags(current_user))


@bp.route("/voorbeeldstatuten")
@public
def example_statutes():
    return render_template("documents/statutes.html", legal_forms=LEGAL_FORMS,
                           grouped=queries.statuten_by_legal_form(current_user))


@contextmanager
def _cleaned_up_on_failure(received):
    """If saving the row fails, the file it would have pointed to goes too (unless shared)."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        storage.remove_unused([received.sha256], services.hash_in_use)
        raise
    finally:
        received.discard()  # a no-op once stored; removes the temporary file otherwise


def _form_page(template: str, form, **context):
    """An upload form, with what the member may still upload."""
    return render_template(template, form=form,
                           allowance=services.upload_allowance(current_user), **context)


def _refused(template: str, form, error: services.UploadRefused, **context):
    form.file.errors = [error.message]
    return _form_page(template, form, **context), error.status


@bp.route("/nieuw", methods=["GET", "POST"])
def upload():
    require(can_upload_document(current_user))
    form = UploadForm(queries.user_organisations(current_user))
    if request.method == "GET":
        form.submission_id.data = submissions.new_id()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _form_page("documents/upload.html", form), status
    submission_id = submissions.clean_id(form.submission_id.data)
    earlier = submission_id and submissions.earlier_result(submission_id, current_user.id)
    if earlier:
        return redirect(earlier, 303)
    try:
        received, kind = services.receive_upload(form.file.data, file_limit(), current_user)
    except services.UploadRefused as error:
        return _refused("documents/upload.html", form, error)
    with _cleaned_up_on_failure(received):
        claim = submission_id and submissions.claim(submission_id, current_user.id)
        if submission_id and claim is None:  # a parallel retry of the same form got there first
            db.session.rollback()
            return redirect(submissions.earlier_result(submission_id, current_user.id)
                            or url_for("documents.library"), 303)
        document = services.create_document(current_user, form.data, received, kind,
                                            form.file.data.filename)
        if claim:
            claim.url = url_for("documents.detail", document_id=document.id)
        db.session.commit()
    flash(_("Je document is ontvangen. We lezen nu de tekst; daarna staat het in de "
            "bibliotheek."), "success")
    return redirect(url_for("documents.detail", document_id=document.id), 303)


@bp.route("/<int:document_id>")
@public
def detail(document_id):
    document = _visible_or_404(document_id)
    version = document.current_version or document.latest_version
    latest = document.latest_version
    return render_template(
        "documents/detail.html", document=document, version=version,
        pending=latest if latest is not None and latest.published_at is None else None,
        text=preview.build(version.extracted_text if version else ""),
        related=queries.related_documents(document, current_user),
        comparable=queries.comparable_statuten(current_user, document.id)
        if document.doc_type == "statuten" else [],
        pii_labels=PII_LABELS, extraction_errors=EXTRACTION_ERRORS,
        reports=list(document.reports) if can_hide_document(current_user) else [],
        # Only for those who may report: a form's CSRF token would keep the page from being
        # kept for visitors (kennisnet/pagecache.py).
        report_form=ReportForm() if can_report_document(current_user, document) else None)


def _download(document: Document, version: DocumentVersion | None):
    if version is None or (version.published_at is None
                           and not can_edit_document(current_user, document)):
        abort(404)
    is_public = (document.visibility == "openbaar" and document.is_published
                 and not document.is_hidden and version.published_at is not None)
    response = file_response(version, is_public)
    if request.method == "GET" and request.range is None and response.status_code == 200:
        record_download(document.id)
    return response


@bp.route("/<int:document_id>/download")
@public
def download(document_id):
    document = _visible_or_404(document_id)
    return _download(document, document.current_version or document.latest_version)


@bp.route("/<int:document_id>/versies/<int:number>/download")
@public
def download_version(document_id, number):
    document = _visible_or_404(document_id)
    version = next((v for v in document.versions if v.number == number), None)
    return _download(document, version)


@bp.route("/<int:document_id>/nieuwe-versie", methods=["GET", "POST"])
def new_version(document_id):
    document = _editable_or_404(document_id)
    form = VersionForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _form_page("documents/version.html", form, document=document), status
    try:
        received, kind = services.receive_upload(form.file.data, file_limit(), current_user)
    except services.UploadRefused as error:
        return _refused("documents/version.html", form, error, document=document)
    with _cleaned_up_on_failure(received):
        replaced = services.add_version(document, current_user, received, kind,
                                        form.file.data.filename)
        db.session.commit()
    storage.remove_unused(replaced, services.hash_in_use)
    flash(_("De nieuwe versie is ontvangen. We lezen nu de tekst."), "success")
    return redirect(url_for("documents.detail", document_id=document.id), 303)


@bp.route("/<int:document_id>/versies/<int:number>/publiceren", methods=["POST"])
def publish(document_id, number):
    document = _editable_or_404(document_id)
    version = next((v for v in document.versions if v.number == number), None)
    if version is None or version.published_at is not None or not version.needs_confirmation:
        abort(409)
    services.publish_version(version)
    db.session.commit()
    flash(_("Het document is gepubliceerd."), "success")
    return redirect(url_for("documents.detail", document_id=document.id), 303)


@bp.route("/<int:document_id>/bewerken", methods=["GET", "POST"])
def edit(document_id):
    document = _editable_or_404(document_id)
    organisations = queries.user_organisations(current_user)
    if document.organisation is not None and document.organisation not in organisations:
        organisations.append(document.organisation)  # an editor keeps the current one
    form = MetadataForm(organisations, obj=document, tags=", ".join(document.tags),
                        organisation_id=str(document.organisation_id or ""))
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("documents/edit.html", form=form, document=document), status
    services.apply_metadata(document, form.data)
    db.session.commit()
    flash(_("De gegevens zijn opgeslagen."), "success")
    return redirect(url_for("documents.detail", document_id=document.id), 303)


@bp.route("/<int:document_id>/verwijderen", methods=["GET", "POST"])
def delete(document_id):
    document = _editable_or_404(document_id)
    if request.method == "GET":
        return render_template("documents/delete.html", document=document)
    hashes = services.delete_document(document)
    db.session.commit()
    storage.remove_unused(hashes, services.hash_in_use)
    flash(_("Het document is verwijderd."), "success")
    return redirect(url_for("documents.library"), 303)


@bp.route("/<int:document_id>/melden", methods=["POST"])
def report(document_id):
    document = _visible_or_404(document_id)
    require(can_report_document(current_user, document))
    form = ReportForm()
    if not form.validate_on_submit():
        flash(_("Schrijf kort wat er mis is met het document."), "error")
        return redirect(url_for("documents.detail", document_id=document.id) + "#melden", 303)
    services.report_document(document, current_user, form.reason.data)
    db.session.commit()
    flash(_("Bedankt. Een moderator kijkt ernaar."), "success")
    return redirect(url_for("documents.detail", document_id=document.id), 303)


@bp.route("/<int:document_id>/verbergen", methods=["POST"])
def hide(document_id):
    document = _visible_or_404(document_id)
    require(can_hide_document(current_user))
    services.set_hidden(document, request.form.get("verbergen") == "1")
    db.session.commit()
    flash(_("Het document is verborgen.") if document.is_hidden
          else _("Het document is weer zichtbaar."), "success")
    return redirect(url_for("documents.detail", document_id=document.id), 303)


@bp.route("/vergelijk")
@public
def compare():
    left = _visible_or_404(request.args.get("links", 0, type=int))
    right = _visible_or_404(request.args.get("rechts", 0, type=int))
    pairs = preview.compare_documents(left, right)
    return render_template("documents/compare.html", left=left, right=right, pairs=pairs)


