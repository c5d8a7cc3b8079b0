"""The English catalog is complete: every Dutch msgid in the code and templates has a translation.

When one of these fails after you added or changed a Dutch string:

    bash scripts/i18n.sh refresh      # extract + update the en catalog
    # translate the empty msgstr entries in kennisnet/translations/en/LC_MESSAGES/messages.po
    bash scripts/i18n.sh compile
"""

import os
import re
import subprocess
import sys
from collections import Counter
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
EN_PO = ROOT / "kennisnet" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
FIX = "run `bash scripts/i18n.sh refresh`, translate the empty entries in " + str(
    EN_PO.relative_to(ROOT)) + ", then `bash scripts/i18n.sh compile`"

# A %-directive: %(name)s, %(n)d, %s, %5.1f, or an escaped %%.
DIRECTIVE = re.compile(r"%(?:\(\w+\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def en_catalog():
    assert EN_PO.exists(), f"no English catalog at {EN_PO}; {FIX}"
    return _read(EN_PO)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """A fresh extraction, made the same way as `bash scripts/i18n.sh extract` (the same script)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    env = dict(os.environ)
    pybabel = Path(sys.executable).with_name("pybabel")
    if pybabel.exists():  # the pybabel next to the Python running the tests
        env["PYBABEL"] = str(pybabel)
    result = subprocess.run(["bash", "scripts/i18n.sh", "extract", str(pot)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"extraction failed:\n{result.stdout}\n{result.stderr}"
    return _read(pot)


def _ids(message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (list, tuple)) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


def _describe(message) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in message.locations[:3])
    context = f" (context {message.context!r})" if message.context else ""
    return f"  {_ids(message)[0]!r}{context}" + (f"  [{where}]" if where else "")


def _is_untranslated(message) -> bool:
    return message.fuzzy or not all(s.strip() for s in _strings(message))


def _real_messages(catalog):
    return [message for message in catalog if message.id]


def _directives(text: str) -> tuple[Counter, int]:
    """The %-directives in a string, and how many stray % signs are left over."""
    found = DIRECTIVE.findall(text)
    return Counter(found), text.count("%") - sum(d.count("%") for d in found)


# (a) The catalog itself: no empty or fuzzy entries, and nothing that makes compile skip it.

def test_english_catalog_header(en_catalog):
    # A fuzzy header makes `pybabel compile` skip the whole file, silently.
    assert not en_catalog.fuzzy, "the en catalog header is marked fuzzy: remove its '#, fuzzy'"
    assert str(en_catalog.locale) == "en"
    assert en_catalog.num_plurals == 2


def test_english_catalog_has_no_empty_or_fuzzy_translations(en_catalog):
    messages = _real_messages(en_catalog)
    assert messages, "the en catalog is empty"
    bad = [_describe(m) + ("  (fuzzy)" if m.fuzzy else "  (empty)")
           for m in messages if _is_untranslated(m)]
    assert not bad, f"{len(bad)} untranslated entries in the en catalog; {FIX}:\n" + "\n".join(bad)


# (b) Everything the code and templates ask for is in the catalog and translated.

def test_every_extracted_msgid_is_translated(en_catalog, extracted):
    missing, untranslated, plural_changed = [], [], []
    for message in _real_messages(extracted):
        entry = en_catalog.get(message.id, message.context)
        if entry is None:
            missing.append(_describe(message))
        elif _is_untranslated(entry):
            untranslated.append(_describe(message))
        elif _ids(entry) != _ids(message):
            plural_changed.append(_describe(message))
    problems = []
    if missing:
        problems.append(f"{len(missing)} msgids are not in the en catalog:\n" + "\n".join(missing))
    if untranslated:
        problems.append(f"{len(untranslated)} msgids have no (or a fuzzy) English translation:\n"
                        + "\n".join(untranslated))
    if plural_changed:
        problems.append(f"{len(plural_changed)} msgids changed their plural form:\n"
                        + "\n".join(plural_changed))
    assert not problems, f"{FIX}.\n" + "\n".join(problems)


# (c) Placeholders survive translation.

def test_placeholders_match(en_catalog):
    wrong = []
    for message in _real_messages(en_catalog):
        ids, strings = _ids(message), _strings(message)
        expected = [_directives(text) for text in ids]
        for index, text in enumerate(strings):
            if not text:
                continue  # reported by the completeness tests
            got = _directives(text)
            # The singular msgstr follows the msgid; the other plural forms follow msgid_plural.
            # A plural entry's singular may leave the number out ("One user"), nothing more.
            want = expected[0] if index == 0 or len(ids) == 1 else expected[-1]
            may_drop = len(ids) > 1 and index == 0
            if got != want and not (may_drop and got[1] == want[1] and got[0] <= want[0]):
                wrong.append(f"  {ids[0]!r} -> {text!r}: expected {sorted(want[0].elements())}"
                             f" and {want[1]} stray %, got {sorted(got[0].elements())}"
                             f" and {got[1]} stray %")
    assert not wrong, ("placeholders differ between msgid and msgstr (templates always apply %, "
                       "so a literal % must be written %%):\n" + "\n".join(wrong))


def test_babel_checkers_pass(en_catalog):
    """Babel's own checks: the number of plural forms and the python-format placeholders."""
    errors = [f"  {_ids(message)[0]!r}: {'; '.join(map(str, errs))}"
              for message, errs in en_catalog.check()]
    assert not errors, "babel's catalog checks failed:\n" + "\n".join(errors)


def test_english_catalog_compiles_and_translates(en_catalog):
    """What `pybabel compile` writes, read back: the English lookup works for a known string."""
    buffer = BytesIO()
    write_mo(buffer, en_catalog)
    buffer.seek(0)
    compiled = read_mo(buffer)
    assert len(compiled) >= len(_real_messages(en_catalog))
    assert compiled.get("Inloggen").string == "Log in"
