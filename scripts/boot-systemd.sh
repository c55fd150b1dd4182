#!/usr/bin/env bash
# Boots systemd for real (systemd-nspawn -b of a Debian bookworm rootfs) with aliwatch installed
# the README's way (pipx into /opt/pipx, the command in /usr/local/bin, the units copied from the
# package), a local Dovecot holding two mailboxes, and each mailbox's password only in
# /etc/credstore: aliwatch.service and aliwatch@alex.service can log in only if systemd's
# LoadCredential= hands the password over. Prints `systemctl status`, the units' journal and an
# `aliwatch check` run by `systemd-run -p LoadCredential=...` (and one without it, which must fail).
#
# Needs root, debootstrap and systemd-container (apt-get install debootstrap systemd-container),
# and the network (Debian's mirror, PyPI for pipx). The rootfs is kept for the next run:
#   BOOT_ROOT=/var/tmp/aliwatch-boot   where it lives (rm -r it to start afresh)
#   BOOT_MIRROR=http://deb.debian.org/debian
# Installs the repository's HEAD commit (git archive), not uncommitted changes.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
BOOT_ROOT=${BOOT_ROOT:-/var/tmp/aliwatch-boot}
BOOT_MIRROR=${BOOT_MIRROR:-http://deb.debian.org/debian}
ROOTFS=$BOOT_ROOT/rootfs
MACHINE=aliwatch-boot
PACKAGES=systemd,systemd-sysv,dbus,libpam-systemd,python3,python3-venv,pipx,ca-certificates,dovecot-imapd

say() { printf '\n== %s ==\n' "$*"; }
in_root() { chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root "$@"; }

[ "$(id -u)" -eq 0 ] || { echo "boot-systemd.sh: run as root (it debootstraps and boots a container)" >&2; exit 1; }
for tool in debootstrap systemd-nspawn nsenter; do
    command -v "$tool" >/dev/null || { echo "boot-systemd.sh: $tool missing: apt-get install debootstrap systemd-container" >&2; exit 1; }
done

if [ ! -x "$ROOTFS/usr/lib/systemd/systemd" ]; then
    say "debootstrap bookworm into $ROOTFS"
    mkdir -p "$BOOT_ROOT"
    debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOTFS" "$BOOT_MIRROR"
fi
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
# policy-rc.d: packages installed in the chroot must not start their daemons here.
printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d" && chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"
missing=()
for package in ${PACKAGES//,/ }; do
    in_root dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "apt-get install ${missing[*]}"
    in_root apt-get update -qq
    in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
rm -f "$ROOTFS/usr/sbin/policy-rc.d"

say "pipx install the checkout (HEAD $(git rev-parse --short HEAD)), as the README's system service"
rm -rf "$ROOTFS/opt/src/aliwatch" && mkdir -p "$ROOTFS/opt/src/aliwatch"
git archive HEAD | tar -x -C "$ROOTFS/opt/src/aliwatch"
# pip inside trusts what the host's pip trusts (a TLS-intercepting proxy's CA, where there is one).
cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/host-ca-certificates.crt"
in_root env PIPX_HOME=/opt/pipx PIPX_BIN_DIR=/usr/local/bin PIP_CERT=/etc/ssl/host-ca-certificates.crt \
    pipx install --force /opt/src/aliwatch
UNITS=/opt/pipx/venvs/aliwatch/share/aliwatch/systemd
cp "$ROOTFS$UNITS/aliwatch.service" "$ROOTFS$UNITS/aliwatch@.service" "$ROOTFS/etc/systemd/system/"

say "a local Dovecot (loopback, no TLS) with the sample mailbox for main@ and alex@"
# The passwords are made up here and written only to Dovecot's user file and the credstore.
main_password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
alex_password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
cat >"$ROOTFS/etc/dovecot/dovecot.conf" <<'EOF'
# Written by scripts/boot-systemd.sh: one IMAP listener on loopback for aliwatch's units.
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u /etc/dovecot/aliwatch-users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=/srv/mail/%u
}
mail_location = maildir:~/Maildir
log_path = syslog
EOF
printf 'main@example.net:{PLAIN}%s\nalex@example.net:{PLAIN}%s\n' "$main_password" "$alex_password" \
    >"$ROOTFS/etc/dovecot/aliwatch-users"
chmod 0640 "$ROOTFS/etc/dovecot/aliwatch-users"
in_root chgrp dovecot /etc/dovecot/aliwatch-users
rm -rf "$ROOTFS/srv/mail"
for user in main@example.net alex@example.net; do
    mkdir -p "$ROOTFS/srv/mail/$user"
    cp -r "$REPO/examples/mailbox" "$ROOTFS/srv/mail/$user/Maildir"
done
in_root chown -R dovecot:dovecot /srv/mail

say "env files and credentials"
mkdir -p "$ROOTFS/etc/aliwatch"
for name in aliwatch alex; do
    user=$([ "$name" = alex ] && echo alex@example.net || echo main@example.net)
    (
        umask 077
        cat >"$ROOTFS/etc/aliwatch/$name.env" <<EOF
ALIWATCH_IMAP_HOST=127.0.0.1
ALIWATCH_IMAP_SECURITY=none
ALIWATCH_IMAP_USER=$user
ALIWATCH_DESKTOP_NOTIFY=off
EOF
    )
done
install -d -m 0700 "$ROOTFS/etc/credstore"
(
    umask 077
    printf '%s\n' "$main_password" >"$ROOTFS/etc/credstore/aliwatch.imap-password"
    printf '%s\n' "$alex_password" >"$ROOTFS/etc/credstore/aliwatch-alex.imap-password"
)
ls -l "$ROOTFS/etc/credstore"
rm -rf "$ROOTFS/var/lib/private/aliwatch" "$ROOTFS/var/lib/private/aliwatch-alex"
systemctl --root="$ROOTFS" enable dovecot.service aliwatch.service aliwatch@alex.service

say "boot: systemd-nspawn -b (private network: loopback only)"
log=$BOOT_ROOT/console.log
systemd-nspawn --quiet --register=no --keep-unit --private-network --machine="$MACHINE" -D "$ROOTFS" -b \
    >"$log" 2>&1 </dev/null &
nspawn=$!
stop() {
    if [ -n "${leader:-}" ]; then
        nsenter --target "$leader" --all systemctl poweroff >/dev/null 2>&1 || true
    fi
    for _ in $(seq 60); do kill -0 "$nspawn" 2>/dev/null || return 0; sleep 0.5; done
    kill "$nspawn" 2>/dev/null || true
}
trap stop EXIT
leader=""
for _ in $(seq 120); do
    leader=$(ps -o pid= --ppid "$nspawn" | head -n 1 | tr -d ' ' || true)
    [ -n "$leader" ] && [ "$(cat "/proc/$leader/comm" 2>/dev/null)" = systemd ] && break
    leader=""
    sleep 0.5
done
[ -n "$leader" ] || { echo "no systemd in the container; console:" >&2; cat "$log" >&2; exit 1; }
inside() { nsenter --target "$leader" --all "$@"; }
state=""
for _ in $(seq 240); do
    state=$(inside systemctl is-system-running 2>/dev/null || true)
    case "$state" in running|degraded) break ;; esac
    sleep 0.5
done
echo "systemd $(inside systemctl --version | head -n 1 | cut -d' ' -f2) is up: $state"
for unit in aliwatch.service aliwatch@alex.service; do
    for _ in $(seq 120); do
        [ "$(inside systemctl is-active "$unit" 2>/dev/null)" = active ] && break
        sleep 0.5
    done
done

say "systemctl status aliwatch aliwatch@alex"
inside systemctl status --no-pager --lines=0 aliwatch.service aliwatch@alex.service || true
say "journalctl -u aliwatch -u aliwatch@alex"
inside journalctl --no-pager -o short -b -u aliwatch.service -u aliwatch@alex.service || true
say "the credentials as the services see them (names and modes, never the contents)"
for unit in aliwatch.service aliwatch@alex.service; do
    pid=$(inside systemctl show -P MainPID "$unit")
    echo "$unit: main pid $pid runs as uid $(inside awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
    inside nsenter --target "$pid" --mount ls -ln "/run/credentials/$unit" || true
done

say "systemd-run -p LoadCredential=imap-password:aliwatch.imap-password ... aliwatch check"
# As the units run it: a dynamic user, HOME=/ (the units' Environment=), the env file.
inside systemd-run --quiet --wait --pipe --collect -p DynamicUser=yes -p Environment=HOME=/ \
    -p LoadCredential=imap-password:aliwatch.imap-password \
    -p EnvironmentFile=/etc/aliwatch/aliwatch.env /usr/local/bin/aliwatch check || true
say "the same without LoadCredential= (must fail: no password reaches it)"
inside systemd-run --quiet --wait --pipe --collect -p DynamicUser=yes -p Environment=HOME=/ \
    -p EnvironmentFile=/etc/aliwatch/aliwatch.env /usr/local/bin/aliwatch check || true

say "sudo aliwatch --env-file /etc/aliwatch/aliwatch.env check (root, outside systemd: reads /etc/credstore itself)"
inside /usr/local/bin/aliwatch --env-file /etc/aliwatch/aliwatch.env check || true
say "ALIWATCH_IMAP_PASSWORD_FILE=/etc/credstore/aliwatch-alex.imap-password aliwatch --env-file /etc/aliwatch/alex.env check"
inside env ALIWATCH_IMAP_PASSWORD_FILE=/etc/credstore/aliwatch-alex.imap-password \
    /usr/local/bin/aliwatch --env-file /etc/aliwatch/alex.env check || true
