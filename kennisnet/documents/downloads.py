"""The download response: an attachment that a browser will never render or sniff."""

from flask import send_file

from kennisnet.documents import storage

ATTACHMENT_CSP = "sandbox; default-src 'none'; base-uri 'none'; frame-ancestors 'none'"


def file_response(version, is_public: bool):
    """send_file adds charset=utf-8 to text types and gives RFC 6266 filenames (an ASCII
    fallback plus filename*), ETag and Range support."""
    response = send_file(
        storage.path_for(version.sha256), mimetype=version.mime,
        as_attachment=True, download_name=version.original_filename, etag=version.sha256,
        conditional=True, max_age=0 if not is_public else 3600,
    )
    response.headers["Content-Security-Policy"] = ATTACHMENT_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if is_public:
        response.cache_control.public = True
    else:
        response.cache_control.public = False
        response.cache_control.private = True
        response.cache_control.no_store = True
    return response
