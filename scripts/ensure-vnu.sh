#!/usr/bin/env bash
# ensure-vnu.sh - make the W3C Nu HTML checker (vnu.jar) available offline for the tests.
#
# Usage:
#   VNU_JAR="$(scripts/ensure-vnu.sh | tail -n 1)"   # install if needed; last stdout line = jar path
#   scripts/ensure-vnu.sh --check                    # also run a self-test (valid + invalid page)
#
# What it does:
#   * Installs the npm package vnu-jar@$VNU_VERSION into <repo>/.tools/ (npm install --prefix),
#     only if that exact version is not there yet (a second run takes ~0.1 s and installs nothing).
#     `--ignore-scripts` is deliberate: the package's postinstall (vnu-java-downloader.js) would
#     try to download a Temurin JRE from GitHub when it finds no Java, which cannot work offline.
#     <repo>/.tools/ must be in .gitignore (about 32 MB).
#   * Makes sure `java` (17 or newer; vnu.jar needs Java 17+) exists; as root it installs
#     default-jre-headless with apt-get when java is missing (Debian 12: OpenJDK 17).
#   * Needs node + npm (preinstalled on the project image); as root, installs Debian's nodejs + npm
#     only if BOTH are missing (never next to another nodejs, e.g. NodeSource's, which bundles npm).
#   * Diagnostics go to stderr; exit status 0 ok, 1 failure.
#
# How vnu.jar behaves (checked with vnu-jar 26.9.27, OpenJDK 17.0.15):
#   java -jar vnu.jar --errors-only --format json [--stdout] FILE|DIR|- ...
#   * Exit code: 0 = no errors, 1 = at least one error. --exit-zero-always forces 0.
#   * The report goes to STDERR, not stdout, unless --stdout is given.
#   * JSON: one object for all files together:
#       {"version":"26.9.27 (c6ba02c)","messages":[]}                          (valid page)
#       {"version":"...","messages":[{"type":"error","url":"file:/abs/path.html",
#         "lastLine":3,"lastColumn":35,"firstColumn":29,"message":"Element “head” is missing a
#         required instance of child element “title”.","extract":"...","hiliteStart":10,
#         "hiliteLength":7}, ...]}
#     Warnings are {"type":"info","subType":"warning",...}; --errors-only drops them.
#     Some messages have no firstColumn/extract (e.g. "Malformed byte sequence").
#   * Text format (no --format): "file:/abs/path.html":3.29-3.35: error: <message>
#   * A MISSING FILE IS NOT AN ERROR: exit 0 and "messages":[] (only --verbose says
#     "File not found" as an info warning). Check that the files exist before validating.
#   * --Werror turns warnings into exit 1, but not together with --errors-only (which drops
#     the warnings first: exit 0).
#   * "-" reads the document from stdin. A DIRECTORY is checked recursively; add --skip-non-html
#     so .txt/.css etc. are ignored. Each java start costs ~1.3-2 s on an idle 2-core machine
#     (up to ~6 s under load), so check many pages in ONE call (several files, or a directory)
#     instead of one call per page.
#   * It works fully offline for local files.
set -Eeuo pipefail

VNU_VERSION=26.9.27

SCRIPT_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
TOOLS="$ROOT/.tools"
PKG_DIR="$TOOLS/node_modules/vnu-jar"
JAR="$PKG_DIR/build/dist/vnu.jar"

T0=$(date +%s%N)
say() { printf 'ensure-vnu: %s\n' "$*" >&2; }
die() { printf 'ensure-vnu: ERROR: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$(( ($(date +%s%N) - T0) / 1000000 )) ms"; }

CHECK=0
case "${1:-}" in
  "") ;;
  --check) CHECK=1 ;;
  -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
  *) die "unknown argument '$1' (use --check or nothing)" ;;
esac

IS_ROOT=0
[[ "$(id -u)" -eq 0 ]] && IS_ROOT=1

apt_install() {
  (( IS_ROOT )) || die "$1 is missing; install it as root: sudo apt-get install -y ${*:2}"
  command -v apt-get >/dev/null || die "$1 is missing and apt-get is not available"
  say "$1 missing; installing ${*:2} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update >&2 || die "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=300 install -y "${@:2}" >&2 || die "apt-get install ${*:2} failed"
}

java_major() {  # prints the major version of `java` on PATH, or nothing
  local v
  v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9._]*\).*/\1/p' | head -n 1)
  [[ -n "$v" ]] || return 0
  if [[ "$v" == 1.* ]]; then v=${v#1.}; fi   # 1.8.0_x -> 8
  echo "${v%%[._]*}"
}

installed_version() {
  [[ -r "$PKG_DIR/package.json" ]] || return 0
  sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$PKG_DIR/package.json" | head -n 1
}

# ---- Java ------------------------------------------------------------------------------------
if ! command -v java >/dev/null; then
  apt_install java default-jre-headless
  command -v java >/dev/null || die "default-jre-headless was installed but java is not on PATH"
fi
major=$(java_major)
[[ "$major" =~ ^[0-9]+$ ]] || die "cannot tell the version of $(command -v java): $(java -version 2>&1 | head -n 1)"
(( major >= 17 )) || die "vnu.jar needs Java 17 or newer; $(command -v java) is Java $major (install openjdk-17-jre-headless and select it with update-alternatives)"

# ---- vnu-jar ---------------------------------------------------------------------------------
if [[ "$(installed_version)" != "$VNU_VERSION" || ! -s "$JAR" ]]; then
  mkdir -p "$TOOLS"
  exec 9>"$TOOLS/.ensure-vnu.lock"
  flock -w 300 9 || die "timed out waiting for another ensure-vnu.sh"
  # Re-check: another process may have installed it while we waited for the lock.
  if [[ "$(installed_version)" != "$VNU_VERSION" || ! -s "$JAR" ]]; then
    if ! command -v npm >/dev/null; then
      if command -v node >/dev/null; then
        die "node is installed but npm is not; install npm for this node ($(command -v node))"
      fi
      apt_install npm nodejs npm
    fi
    say "installing vnu-jar@$VNU_VERSION into $TOOLS (npm $(npm --version 2>/dev/null), ~32 MB) ..."
    npm install --prefix "$TOOLS" --ignore-scripts --no-audit --no-fund --no-update-notifier --save-exact \
        --loglevel=error "vnu-jar@$VNU_VERSION" >&2 \
      || die "npm install vnu-jar@$VNU_VERSION failed"
    [[ -s "$JAR" ]] || die "npm installed vnu-jar but $JAR is missing"
    got=$(java -jar "$JAR" --version 2>&1 | head -n 1) || die "java -jar $JAR --version failed: $got"
    [[ "$got" == "$VNU_VERSION"* ]] || die "unexpected vnu.jar version '$got' (wanted $VNU_VERSION)"
    say "installed vnu.jar $got [$(elapsed)]"
  fi
  exec 9>&-
fi

# ---- optional self-test ----------------------------------------------------------------------
if (( CHECK )); then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cat >"$tmp/valid.html" <<'EOF'
<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><title>Zorgcoöperatie</title></head>
<body><main><h1>Zorgcoöperatie</h1><p>Ideeën</p><img src="a.png" alt="logo"></main></body>
</html>
EOF
  cat >"$tmp/invalid.html" <<'EOF'
<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"></head>
<body><main><h1>Zorgcoöperatie</h1><img src="a.png"><span id="x"></span><span id="x"></span></main></body>
</html>
EOF
  set +e
  out_ok=$(java -jar "$JAR" --errors-only --format json --stdout "$tmp/valid.html" 2>&1); rc_ok=$?
  out_bad=$(java -jar "$JAR" --errors-only --format json --stdout "$tmp/invalid.html" 2>&1); rc_bad=$?
  set -e
  [[ $rc_ok -eq 0 && "$out_ok" == *'"messages":[]'* ]] \
    || die "self-test: valid page gave exit $rc_ok: $out_ok"
  [[ $rc_bad -eq 1 && "$out_bad" == *'"type":"error"'* && "$out_bad" == *'Duplicate ID'* ]] \
    || die "self-test: invalid page gave exit $rc_bad: $out_bad"
  say "self-test ok: valid page exit 0 with no messages; invalid page exit 1 with errors"
fi

say "ok: vnu.jar $VNU_VERSION, java $major [$(elapsed)]"
echo "$JAR"
