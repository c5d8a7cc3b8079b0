#!/usr/bin/env bash
# ensure-chromium.sh - make sure Debian's Chromium (/usr/bin/chromium) and a font are installed,
# for the browser tests (Playwright launches it with executable_path=/usr/bin/chromium).
#
# Usage:
#   scripts/ensure-chromium.sh           # install if missing; last stdout line = chromium version
#   scripts/ensure-chromium.sh --smoke   # additionally render a small page headless to a PNG
#
# What it does:
#   * chromium missing  -> (root only) apt-get update && apt-get install -y --no-install-recommends
#                          chromium fonts-dejavu-core fonts-liberation libatomic1
#     Without recommends this skips avahi-daemon, cups helpers, udev, upower, a perl stack and
#     systemd upgrades (on a fresh minbase Debian 12: 174 packages instead of 326; on the project
#     image 26 instead of 115, by apt-get -s). Checked on a fresh debootstrap'ed Debian 12: headless
#     Chromium renders text, "Zorgcoöperatie" included, and Playwright 1.65 drives it (fill, read,
#     screenshot); nothing from the recommends is needed for that.
#     Set KENNISNET_CHROMIUM_RECOMMENDS=1 to install with recommends instead.
#   * Fonts: fonts-dejavu-core (default sans/serif/mono) and fonts-liberation (what Chromium uses
#     for Arial/Helvetica/Times/Courier; a recommends of chromium, so installing it keeps
#     screenshots identical to a machine where chromium came with recommends). Installed when
#     missing even if chromium is present (no font at all = no text).
#   * libatomic1: Playwright's bundled node driver needs it ("libatomic.so.1: cannot open shared
#     object file" otherwise). It comes with gcc on the project image but not on a minimal Debian.
#   * Not root and something is missing -> exits 1 with the command to run.
#   * Prints `Chromium <version> built on Debian ...` on stdout; diagnostics go to stderr.
#   * Exit status: 0 ok, 1 failure.
#
# Note: the /usr/bin/chromium wrapper may print "[: ...: unexpected operator" on stderr (a bug in
# /etc/chromium.d/dev-shm when findmnt returns 2 lines); it is harmless.
set -Eeuo pipefail

CHROMIUM=/usr/bin/chromium
EXTRA_PKGS=(fonts-dejavu-core fonts-liberation libatomic1)
T0=$(date +%s%N)
say() { printf 'ensure-chromium: %s\n' "$*" >&2; }
die() { printf 'ensure-chromium: ERROR: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$(( ($(date +%s%N) - T0) / 1000000 )) ms"; }

SMOKE=0
case "${1:-}" in
  "") ;;
  --smoke) SMOKE=1 ;;
  -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
  *) die "unknown argument '$1' (use --smoke or nothing)" ;;
esac

pkg_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

apt_retry() {  # apt_retry ARGS...: apt-get with a lock timeout and one retry (mirror hiccups)
  local i
  for i in 1 2; do
    if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@" >&2; then return 0; fi
    (( i == 2 )) || { say "apt-get $1 failed, retrying in 5 s"; sleep 5; }
  done
  return 1
}

missing=()
[[ -x "$CHROMIUM" ]] || missing+=(chromium)
for p in "${EXTRA_PKGS[@]}"; do pkg_installed "$p" || missing+=("$p"); done

if (( ${#missing[@]} )); then
  if [[ "$(id -u)" -ne 0 ]]; then
    die "missing: ${missing[*]}. Install as root: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  command -v apt-get >/dev/null || die "missing: ${missing[*]}, and apt-get is not available"
  opts=(--no-install-recommends)
  if [[ "${KENNISNET_CHROMIUM_RECOMMENDS:-0}" == 1 ]]; then opts=(); fi
  say "installing ${missing[*]} with apt-get ${opts[*]} ..."
  apt_retry update || die "apt-get update failed"
  apt_retry install -y "${opts[@]}" "${missing[@]}" || die "apt-get install ${missing[*]} failed"
  [[ -x "$CHROMIUM" ]] || die "chromium was installed but $CHROMIUM does not exist"
  say "installed ${missing[*]} [$(elapsed)]"
fi

# The wrapper's harmless stderr noise is dropped here; a real failure still shows as no output.
version=$("$CHROMIUM" --version 2>/dev/null || true)
[[ "$version" == Chromium* ]] || die "$CHROMIUM --version did not work: $("$CHROMIUM" --version 2>&1 | tail -n 3)"

if (( SMOKE )); then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  printf '<!doctype html><html lang="nl"><meta charset="utf-8"><title>t</title><body><h1>Zorgcoöperatie</h1></body></html>\n' >"$tmp/page.html"
  if ! timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --disable-background-networking --disable-component-update --disable-sync \
        --disable-quic --user-data-dir="$tmp/profile" --window-size=640,200 \
        --screenshot="$tmp/shot.png" "file://$tmp/page.html" >"$tmp/log" 2>&1 \
     || [[ ! -s "$tmp/shot.png" ]]; then
    tail -n 20 "$tmp/log" >&2 || true
    die "headless smoke test failed: no screenshot"
  fi
  say "smoke test ok: screenshot $(stat -c %s "$tmp/shot.png") bytes"
fi

say "ok [$(elapsed)]"
echo "$version"
