#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the test suite's real servers need, when missing.
#
# Dovecot is installed normally. Cyrus IMAP (the suite's second IMAP server) conflicts with
# dovecot-imapd as a package, so its packages are unpacked (dpkg -x, never installed) into a
# private prefix, .venv/cyrus, which tests/servers/cyrus.py runs it from; only the libraries
# they need are installed, and the `cyrus` system user Cyrus drops its privileges to is made.
# Every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
updated=""
apt_update() {
    if [ -z "$updated" ]; then
        "${sudo[@]}" apt-get update -qq
        updated=yes
    fi
}
apt_install() {
    echo "installing $* (apt-get)" >&2
    apt_update
    # policy-rc.d-less containers may try to start dovecot: the suite runs its own private
    # instance.
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
have_apt() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "missing: $* (install them with your package manager)" >&2
        exit 1
    fi
}

need=()
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
command -v dbus-daemon >/dev/null 2>&1 || need+=(dbus)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# dunst, a real notification server (tests/servers/dunst.py), on the X server Xvfb: it runs with
# no desktop, and dunstctl reads back what it shows and performs its actions from a test.
command -v dunst >/dev/null 2>&1 || need+=(dunst)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
if [ ${#need[@]} -gt 0 ]; then
    have_apt "${need[@]}"
    apt_install "${need[@]}"
fi

# -- Cyrus IMAP, unpacked beside Dovecot --------------------------------------------------------
CYRUS_PACKAGES=(cyrus-imapd cyrus-common sasl2-bin)
CYRUS_PREFIX=.venv/cyrus
# Written last: a prefix without it was not unpacked completely and is unpacked again.
CYRUS_DONE=$CYRUS_PREFIX/UNPACKED

if [ ! -f "$CYRUS_DONE" ]; then
    have_apt "${CYRUS_PACKAGES[@]}"
    echo "unpacking ${CYRUS_PACKAGES[*]} into $CYRUS_PREFIX (apt-get download, dpkg -x)" >&2
    apt_update
    downloads=$(mktemp -d)
    trap 'rm -rf "$downloads"' EXIT
    # Run as root, apt downloads as its sandbox user _apt, which must be able to write there.
    if [ "$(id -u)" -eq 0 ] && getent passwd _apt >/dev/null; then
        chown _apt "$downloads"
    fi
    (cd "$downloads" && apt-get download -qq "${CYRUS_PACKAGES[@]}")
    rm -rf "$CYRUS_PREFIX"
    mkdir -p "$CYRUS_PREFIX"
    : >"$CYRUS_PREFIX/DEPENDS"
    for deb in "$downloads"/*.deb; do
        dpkg -x "$deb" "$CYRUS_PREFIX"
        # What each unpacked package depends on, from its own control file: the libraries
        # among them are installed below.
        dpkg-deb -f "$deb" Package Version Depends Pre-Depends >>"$CYRUS_PREFIX/DEPENDS"
    done
    dpkg-deb -f "$downloads"/cyrus-imapd_*.deb Version >"$CYRUS_PREFIX/VERSION"
    touch "$CYRUS_DONE"
fi

# The shared libraries (and SASL plugins) the unpacked programs need: their lib* dependencies,
# the first of each set of alternatives. Libraries conflict with nothing: installed normally.
missing=()
while read -r lib; do
    status=$(dpkg-query -W -f='${Status}' "$lib" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$lib")
done < <(
    sed -n 's/^\(Pre-\)\?Depends: //p' "$CYRUS_PREFIX/DEPENDS" | tr ',' '\n' |
        sed 's/|.*//; s/([^)]*)//g; s/:any//; s/[[:space:]]//g' | grep '^lib' | sort -u
)
if [ ${#missing[@]} -gt 0 ]; then
    have_apt "${missing[@]}"
    apt_install "${missing[@]}"
fi

# Cyrus's master, started as root, runs its services as `cyrus` (group mail).
if ! getent passwd cyrus >/dev/null; then
    echo "adding the system user cyrus (group mail)" >&2
    getent group mail >/dev/null || "${sudo[@]}" groupadd --system mail
    "${sudo[@]}" useradd --system --gid mail --no-create-home --shell /usr/sbin/nologin cyrus
fi
