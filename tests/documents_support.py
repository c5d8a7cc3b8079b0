"""Fixtures for the document tests: upload through the real form, run the extraction worker."""

import io

import pytest


@pytest.fixture
def upload(client, csrf_token):
    """POST a file through the upload form; returns the response."""

    def do_upload(data: bytes, filename: str, **fields):
        page = client.get("/documenten/nieuw")
        assert page.status_code == 200
        form = {"csrf_token": csrf_token(page), "title": "Statuten van ons initiatief",
                "description": "Onze statuten.", "doc_type": "statuten",
                "legal_form": "vereniging", "year": "2024", "licence": "cc-by-4.0",
                "tags": "contributie, leden", "visibility": "openbaar", "organisation_id": "",
                **fields}
        form["file"] = (io.BytesIO(data), filename)
        return client.post("/documenten/nieuw", data=form, content_type="multipart/form-data")

    return do_upload


@pytest.fixture
def extract(app):
    from kennisnet.documents.worker import extract_pending

    return extract_pending
