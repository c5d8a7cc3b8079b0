#!/usr/bin/env bash
# Translation catalogs. The msgids are Dutch (the default language); kennisnet/translations/en
# holds the English text. After adding or changing Dutch strings:
#
#   bash scripts/i18n.sh extract   # templates + Python -> kennisnet/translations/messages.pot
#   bash scripts/i18n.sh update    # merge the .pot into the en catalog (new entries are empty)
#   ... translate the empty msgstr entries in kennisnet/translations/en/LC_MESSAGES/messages.po
#   bash scripts/i18n.sh compile   # .po -> .mo (the .mo files are git-ignored)
#
# `bash scripts/i18n.sh refresh` does extract + update; `stats` shows what is still untranslated.
# tests/test_translations.py runs `extract` into a temporary file and names every msgid
# that the en catalog is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYBABEL=${PYBABEL:-.venv/bin/pybabel}
DIR=kennisnet/translations
POT=$DIR/messages.pot
LOCALES=(en)

extract() {
  # --ignore-dirs replaces pybabel's default filter, which skips every directory whose name
  # starts with "_" or "." and so would silently miss templates/_macros. Skip dot-dirs
  # (.venv, .git), caches and the tests here; babel.cfg chooses which files are read.
  # _l/lazy_gettext (and the lazy plural/context forms) are not default keywords.
  # `-q` is a global option and must come before the subcommand.
  local output=${1:-$POT}
  "$PYBABEL" -q extract \
    --mapping-file=babel.cfg \
    --keyword=_l --keyword=lazy_gettext \
    --keyword=lazy_ngettext:1,2 --keyword=lazy_pgettext:1c,2 \
    --ignore-dirs='.* __pycache__ node_modules tests' \
    --add-comments=TRANSLATORS: \
    --project=kennisnet --copyright-holder=kennisnet \
    --output-file="$output" \
    .
}

update() {
  # --no-fuzzy-matching: a changed or new Dutch string arrives with an empty msgstr instead of
  # a guessed translation of some similar-looking string; fuzzy guesses are easy to miss, and
  # compile skips them anyway. Old translations stay in the file as obsolete (#~) entries.
  # --init-missing creates the catalog for a language that does not have one yet.
  local locale
  for locale in "${LOCALES[@]}"; do
    "$PYBABEL" -q update \
      --input-file="$POT" \
      --output-dir="$DIR" \
      --locale="$locale" \
      --init-missing \
      --no-fuzzy-matching
  done
}

compile() {
  # Runs on a fresh clone (only the .po files are in git); the Makefile's `translations`
  # target runs the same command.
  "$PYBABEL" -q compile --directory="$DIR"
}

stats() {
  "$PYBABEL" compile --directory="$DIR" --statistics
}

usage() {
  echo "usage: bash scripts/i18n.sh extract [OUTPUT.pot] | update | compile | refresh | stats" >&2
  exit 2
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  extract) extract "$@" ;;
  update) update ;;
  compile) compile ;;
  refresh) extract && update ;;
  stats) stats ;;
  *) usage ;;
esac
