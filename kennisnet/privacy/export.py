"""Everything kennisnet holds about one account, as a ZIP of JSON and CSV plus the user's files.

The export is driven by the schema, not by a hand-kept list: every column with a foreign key to
the user table is found in the metadata and its rows are exported. A table may only be left
out through EXCLUDED_TABLES, with a reason; tests fail when a user-linked table is neither
exported nor excluded. Secrets (password hashes, tokens, TOTP secrets, recovery codes) are
summarised as "ingesteld: ja/nee", never exported.
"""

import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Column, Table, func, or_, select

from kennisnet.accounts.models import RateLimitHit, User
from kennisnet.database import utcnow
from kennisnet.extensions import db

USER_TABLE = "user"

# Tables that refer to users but are not exported, each with the reason (shown in the export).
EXCLUDED_TABLES: dict[str, str] = {}

# Column names that hold secrets: exported as "ingesteld: ja" or "ingesteld: nee" only.
SECRET_COLUMN = re.compile(r"(password|secret|token|_hash$|recovery|totp|otp_)", re.I)

# Large derived columns: the export says how long they are instead of repeating them
# (the files themselves are in the ZIP).
DERIVED_COLUMNS = {("document_version", "extracted_text"), ("document_version", "pii_json")}

# Rows linked to a row of the user's, which belong in the export although they have no
# foreign key to the user themselves: (child table, its column, parent table).
CHILD_TABLES = [("document_version", "document_id", "document"),
                ("document_tag", "document_id", "document")]

SET = "ingesteld: ja"
UNSET = "ingesteld: nee"


def user_foreign_keys() -> list[tuple[Table, Column]]:
    """Every (table, column) in the schema that refers to the user table."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == USER_TABLE for fk in column.foreign_keys):
                found.append((table, column))
    return found


def user_linked_tables() -> set[str]:
    return {table.name for table, _column in user_foreign_keys()}


def exported_tables() -> set[str]:
    """Tables whose rows about the user go into the export (the user table included)."""
    return (user_linked_tables() - EXCLUDED_TABLES.keys()) | {USER_TABLE}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _row_dict(table: Table, row) -> dict:
    values = {}
    for column in table.columns:
        value = row._mapping[column]
        if SECRET_COLUMN.search(column.name):
            values[column.name] = SET if value not in (None, "") else UNSET
        elif (table.name, column.name) in DERIVED_COLUMNS:
            values[column.name] = f"<{len(value or '')} tekens>"
        else:
            values[column.name] = _plain(value)
    return values


def _rows(table: Table, *conditions) -> list[dict]:
    query = select(table).where(or_(*conditions))
    primary = list(table.primary_key.columns)
    if primary:
        query = query.order_by(*primary)
    return [_row_dict(table, row) for row in db.session.execute(query)]


def collect_tables(user: User) -> dict[str, list[dict]]:
    """table name -> rows about this user, for every exported table (empty lists included)."""
    result: dict[str, list[dict]] = {}
    by_table: dict[str, list[Column]] = {}
    for table, column in user_foreign_keys():
        if table.name not in EXCLUDED_TABLES:
            by_table.setdefault(table.name, []).append(column)
    tables = db.metadata.tables
    result[USER_TABLE] = _rows(tables[USER_TABLE], tables[USER_TABLE].c.id == user.id)
    for name, columns in sorted(by_table.items()):
        result[name] = _rows(tables[name], *(column == user.id for column in columns))
    for child, column, parent in CHILD_TABLES:
        parent_ids = [row["id"] for row in result.get(parent, [])]
        extra = _rows(tables[child], tables[child].c[column].in_(parent_ids)) if parent_ids else []
        known = {json.dumps(row, sort_keys=True) for row in result.get(child, [])}
        result.setdefault(child, []).extend(
            row for row in extra if json.dumps(row, sort_keys=True) not in known)
    return result


def collect_unlinked(user: User) -> dict[str, list[dict]]:
    """Rows about the user that carry the e-mail address or id as text, not as a foreign key."""
    tables = db.metadata.tables
    email = user.email.lower()
    from kennisnet.privacy.services import rate_limit_keys

    found = {"rate_limit_hit": _rows(tables["rate_limit_hit"],
                                     RateLimitHit.key.in_(rate_limit_keys(user.id, email)))}
    for name, column in (("invitation", "email"), ("event_registration", "email"),
                         ("event_mail", "recipient"), ("organisation", "contact_email")):
        table = tables.get(name)
        if table is not None:
            found[f"{name} ({column})"] = _rows(table, func.lower(table.c[column]) == email)
    return found


@dataclass
class StoredFile:
    archive_name: str
    path: str


@dataclass
class Export:
    data: dict
    files: list[StoredFile] = field(default_factory=list)


def user_files(tables: dict[str, list[dict]]) -> list[StoredFile]:
    """The files of the user's documents and of the versions they uploaded."""
    from kennisnet.documents import storage

    files, seen = [], set()
    for row in tables.get("document_version", []):
        key = (row["document_id"], row["number"])
        if key in seen:
            continue
        seen.add(key)
        safe = re.sub(r"[^\w.\-]+", "_", row["original_filename"] or "bestand")[:80]
        files.append(StoredFile(f"bestanden/document-{key[0]}-versie-{key[1]}-{safe}",
                                storage.path_for(row["sha256"])))
    return files


def build_export(user: User) -> Export:
    tables = collect_tables(user)
    data = {
        "over_deze_export": {
            "gemaakt_op": utcnow().isoformat(),
            "uitleg": "Alle gegevens die kennisnet over dit account bewaart. Geheimen zoals je "
                      "wachtwoord staan er niet in, alleen of ze zijn ingesteld.",
            "niet_meegenomen": EXCLUDED_TABLES,
        },
        "account": tables[USER_TABLE][0],
        "tabellen": {name: rows for name, rows in tables.items() if name != USER_TABLE},
        "gevonden_via_e-mailadres": collect_unlinked(user),
    }
    return Export(data=data, files=user_files(tables))


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({key: json.dumps(value, ensure_ascii=False)
                             if isinstance(value, list | dict) else value
                             for key, value in row.items()})
    return buffer.getvalue()


class _Pipe:
    """A write-only file for zipfile whose written bytes are taken out piece by piece."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.position = 0

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def stream_zip(export: Export) -> Iterator[bytes]:
    """The ZIP, produced while it is sent: files are read in chunks, never held whole."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mijn-gegevens.json",
                         json.dumps(export.data, ensure_ascii=False, indent=2))
        for name, rows in export.data["tabellen"].items():
            archive.writestr(f"csv/{name}.csv", _csv(rows))
        archive.writestr("csv/account.csv", _csv([export.data["account"]]))
        yield pipe.take()
        for stored in export.files:
            if not os.path.exists(stored.path):
                continue
            with open(stored.path, "rb") as source, archive.open(stored.archive_name, "w") as out:
                while chunk := source.read(64 * 1024):
                    out.write(chunk)
                    yield pipe.take()
    yield pipe.take()
