"""The commented env file `aliwatch init` writes: every setting, its default, what it does."""

from __future__ import annotations

# (variable without the ALIWATCH_ prefix, default as written in the file or "" for none, what
# it does). Sections are ("## title", "", ""). tests/daemon/cli/test_init.py holds this list
# equal to the Settings class and to README's settings table, so none can be forgotten.
SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("## The mailbox (IMAP)", "", ""),
    ("IMAP_HOST", "", "the IMAP server, e.g. imap.gmail.com"),
    ("IMAP_USER", "", "the login name, usually your address"),
    ("IMAP_PORT", "993", "993 for ssl, 143 for starttls and none"),
    ("IMAP_SECURITY", "ssl", "ssl, starttls, or none (loopback only); certificates are verified"),
    ("IMAP_CA_FILE", "", "a CA certificate for a server with a private CA"),
    (
        "IMAP_PASSWORD",
        "",
        "the password; better: _PASSWORD_FILE, _PASSWORD_COMMAND or a credential",
    ),
    ("IMAP_PASSWORD_FILE", "", "a file holding the password (mode 0600)"),
    ("IMAP_PASSWORD_COMMAND", "", "a command printing the password, e.g. pass show mail/alex"),
    ("IMAP_OAUTH2_TOKEN_COMMAND", "", "a command printing an XOAUTH2 token (Gmail, Outlook)"),
    ("IMAP_TIMEOUT", "60", "seconds before a silent server counts as gone"),
    ("IMAP_FOLDERS", "INBOX", "comma-separated folders; Gmail: [Gmail]/All Mail"),
    ("BACKFILL_DAYS", "365", "how far back the first sync looks"),
    ("IDLE_SECONDS", "1500", "IDLE is re-issued at least this often (RFC 2177)"),
    ("POLL_SECONDS", "300", "seconds between syncs when IDLE is absent (IDLE wakes sooner)"),
    ("MAILDIR", "", "a local mailbox to watch instead of, or beside, IMAP"),
    ("## Alert email (SMTP)", "", ""),
    ("SMTP_HOST", "", "the SMTP server; set it and ALERT_EMAIL_TO for alert mail"),
    ("SMTP_PORT", "587", "465 for ssl, 587 for starttls, 25 for none"),
    ("SMTP_SECURITY", "starttls", "ssl, starttls, or none (loopback only)"),
    ("SMTP_CA_FILE", "", "a CA certificate for a private SMTP server"),
    ("SMTP_USER", "", "the SMTP login (no login when unset)"),
    ("SMTP_PASSWORD", "", "as for IMAP; or _PASSWORD_FILE, _PASSWORD_COMMAND, a credential"),
    ("SMTP_PASSWORD_FILE", "", "a file holding the SMTP password"),
    ("SMTP_PASSWORD_COMMAND", "", "a command printing the SMTP password"),
    ("SMTP_TIMEOUT", "30", "seconds before a silent SMTP server counts as down"),
    ("ALERT_EMAIL_TO", "", "where alerts go: better not the mailbox being watched"),
    ("ALERT_EMAIL_FROM", "", "the sender of alert mail (default: the SMTP user)"),
    ("## Other channels and noise", "", ""),
    ("DESKTOP_NOTIFY", "auto", "auto (when a session bus is reachable), on, off"),
    ("APPRISE_URLS", "", "comma-separated Apprise URLs (pip install 'aliwatch[apprise]')"),
    ("QUIET_HOURS", "", "e.g. 22:00-08:00: ordinary alerts wait, urgent ones still come"),
    ("DIGEST_AT", "", "e.g. 08:00: a daily digest of open orders and deadlines"),
    ("STALE_HOURS", "6", "alert when no mailbox check has worked this long"),
    ("## Deadlines (a date stated in a mail always wins)", "", ""),
    ("PROTECTION_DAYS", "90", "buyer protection from shipment"),
    ("DISPUTE_WINDOW_DAYS", "15", "days to open a dispute after protection stops"),
    ("CANCEL_DECISION_DAYS", "9", "days a seller has to decide a cancellation request"),
    ("SELLER_REPLY_DAYS", "5", "days a seller has to answer a dispute"),
    ("SHIPPING_DAYS", "7", "days from confirmation to shipment"),
    ("STALL_DAYS", "20", "days without a parcel scan before it counts as stalled"),
    ("REFUND_DAYS", "20", "days for a promised refund to arrive"),
    ("RETURN_DAYS", "10", "days to ship a return the seller asked for (when the mail has no date)"),
    ("DISPUTE_QUIET_DAYS", "3", "days without dispute mail before you are asked to look at it"),
    ("REMIND_BEFORE", "7d,3d,1d,6h", "lead times of deadline reminders"),
    ("## Everything else", "", ""),
    ("TIMEZONE", "", "the zone deadlines are shown in, e.g. Europe/Berlin (default: the system's)"),
    ("TRUSTED_AUTHSERV_IDS", "", "authserv-ids whose Authentication-Results are believed"),
    ("DB_PATH", "", "the state database (default: $STATE_DIRECTORY or ~/.local/state/aliwatch)"),
    ("LOG_FORMAT", "", "json or console (default: json off a terminal)"),
)
# Example values of the settings without a default, for error messages (a default is its
# own example).
EXAMPLES = {
    "IMAP_HOST": "imap.gmail.com",
    "IMAP_USER": "you@example.org",
    "IMAP_CA_FILE": "/etc/aliwatch/ca.pem",
    "IMAP_PASSWORD_FILE": "/etc/aliwatch/imap-password",
    "IMAP_PASSWORD_COMMAND": "pass show mail/alex",
    "IMAP_OAUTH2_TOKEN_COMMAND": "oama access you@gmail.com",
    "MAILDIR": "~/Maildir",
    "SMTP_HOST": "smtp.gmail.com",
    "SMTP_CA_FILE": "/etc/aliwatch/ca.pem",
    "SMTP_USER": "you@example.org",
    "SMTP_PASSWORD_FILE": "/etc/aliwatch/smtp-password",
    "SMTP_PASSWORD_COMMAND": "pass show mail/smtp",
    "ALERT_EMAIL_TO": "you@example.net",
    "ALERT_EMAIL_FROM": "aliwatch@example.org",
    "APPRISE_URLS": "ntfy://ntfy.sh/your-topic",
    "QUIET_HOURS": "22:00-08:00",
    "DIGEST_AT": "08:00",
    "TIMEZONE": "Europe/Berlin",
    "TRUSTED_AUTHSERV_IDS": "mx.google.com",
    "DB_PATH": "/var/lib/aliwatch/aliwatch.db",
    "LOG_FORMAT": "console",
}


def example(name: str) -> str | None:
    """A value the setting `name` (without ALIWATCH_) takes: its default, else an example."""
    for setting, default, _ in SETTINGS:
        if setting == name and default:
            return default
    return EXAMPLES.get(name)


# Written uncommented (empty): the two everybody fills in. Everything else stays commented, so
# the defaults apply until a line is uncommented.
ACTIVE = frozenset({"IMAP_HOST", "IMAP_USER"})


def render() -> str:
    """The env file: readable by systemd's EnvironmentFile= and by aliwatch's --env-file."""
    lines = [
        "# aliwatch settings (aliwatch init). Fill in what you need; a line starting with # is",
        "# off and its default applies. Passwords: prefer a _FILE, a _COMMAND or a systemd",
        "# credential to a value here. Check with: aliwatch check",
        "#",
        "# aliwatch reads this file exactly as systemd's EnvironmentFile= does (systemd.exec(5)):",
        "# - # or ; starts a comment only at the start of a line: in NAME=value # note, the",
        "#   note is part of the value. Put comments on lines of their own.",
        "# - blanks around NAME and the value are dropped; 'single quotes' keep everything",
        '#   inside; in "double quotes" a backslash escapes only " \\ $ and `.',
        "# - a backslash at the end of a line continues the value on the next line.",
        "# - no `export`, no $VARIABLE expansion; a NAME set twice keeps the last value.",
        "# - an ALIWATCH_ name that is no setting stops aliwatch (exit 2), naming it.",
        "# Booleans take 1/yes/true/on or 0/no/false/off, in any case.",
        "",
    ]
    for name, default, what in SETTINGS:
        if name.startswith("## "):
            lines += ["", f"# {name[3:]}"]
            continue
        lines.append(f"# {what}")
        prefix = "" if name in ACTIVE else "# "
        lines.append(f"{prefix}ALIWATCH_{name}={default}")
    return "\n".join(lines) + "\n"
