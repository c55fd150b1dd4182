"""`aliwatch anonymize`: nothing personal survives, the meaning does; on files and over IMAP."""

from __future__ import annotations

import email
import json
import os
import stat
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from aliwatch.daemon.cli.anonymizer import Anonymizer
from aliwatch.parsers import recognise
from aliwatch.parsers.mime import html_to_text
from tests.e2e.test_run_imap import env_for
from tests.fixture_corpus import HOLDOUT, load_fixtures
from tests.servers.cyrus import ImapServer

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))

# Every personal value the mail below carries, in every place a real one can stand.
NAME, FIRST, LAST = "Henrike Vogelsang", "Henrike", "Vogelsang"
BUYER = "henrike.vogelsang@mailbox.example"
STREET, CITY = "Lindenstraße 42, 3. OG", "80331 München"
PHONE = "+49 171 5550193"
ORDER_A, ORDER_B = "8123456789012345", "8123456789019876"
PARCEL = "LP00987654321098"
LINK_ID = "Qx7Tz9Lm2Vb4Nk8Rw1"  # a personal id in a link's query
IMAGE_ID = "a9f3c2e1b7d64f0a8c5e"  # a personal id in an image URL's path
RELAY = "transaction_at_notice_aliexpress_com_q1w2e3r4t5_z9x8c7v6@privaterelay.appleid.com"
ORIGINALS = [NAME, FIRST, LAST, BUYER, STREET, CITY, PHONE, ORDER_A, ORDER_B, PARCEL, LINK_ID,
             IMAGE_ID, "q1w2e3r4t5", "z9x8c7v6", "203.0.113.77", "mx3.mailbox.example"]  # fmt: skip


def personal_mail() -> bytes:
    """A relayed AliExpress shipping mail with personal data in headers, text, HTML and links."""
    msg = EmailMessage()
    msg["Return-Path"] = "<bounce-q1w2e3r4t5@privaterelay.appleid.com>"
    msg["Received"] = "from relay (203.0.113.77) by mx3.mailbox.example; Mon, 2 Nov 2026"
    msg["Delivered-To"] = BUYER
    msg["Authentication-Results"] = (
        "mx3.mailbox.example; dkim=pass header.d=privaterelay.appleid.com header.b=Xy12Ab34"
    )
    msg["From"] = f"AliExpress <{RELAY}>"
    msg["To"] = f"{NAME} <{BUYER}>"
    msg["Subject"] = f"Bestellung {ORDER_A}: Bestellung versandt"
    msg["Date"] = "Mon, 02 Nov 2026 10:15:00 -0800"
    msg["Message-ID"] = "<171655501938.4242.beefcafe@notice.aliexpress.com>"
    text = (
        f"Hallo {NAME},\n\nIhre Bestellung {ORDER_A} wurde versandt. Sendungsnummer: {PARCEL}\n"
        f"Voraussichtliche Zustellzeit 12/11/2026\nBestellsumme: 23,45 €\n\n"
        f"Versand nach\n{STREET}\n{CITY}\n{NAME} {PHONE}\n\n"
        f"Auch Bestellung {ORDER_B} ist dabei.\n"
        f"Diese E-Mail wurde an {BUYER} gesendet.\n"
    )
    link = (
        "https://www.aliexpress.com/p/tracking/index.html?_login=yes&amp;tradeOrderId="
        f"{ORDER_A}&amp;trackingNumber={PARCEL}&amp;o_ids={ORDER_A}%2C{ORDER_B}&amp;token={LINK_ID}"
    )
    html = (
        "<html><body><p>Kostenlose Rückgabe</p>"
        f"<p>Hallo {NAME},</p><p>Ihre Bestellung {ORDER_A} wurde versandt.</p>"
        f'<p><a href="{link}">Sendung verfolgen</a></p>'
        f'<img src="https://ae01.alicdn.com/u/{IMAGE_ID}/avatar.png">'
        "<p>Bestellsumme: 23,45 €</p><p>Versand nach</p>"
        f"<p>{STREET}</p><p>{CITY}</p><p>{NAME} {PHONE}</p>"
        f"<p>Diese E-Mail wurde an {BUYER} gesendet.</p></body></html>"
    )
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="base64")
    return bytes(msg)


def decoded_texts(raw: bytes) -> str:
    """Everything a reader of the mail can see: headers decoded, every text part decoded."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    seen = [str(value) for _, value in message.items()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            body = part.get_content()
            seen.append(body)
            if part.get_content_subtype() == "html":
                seen.append(html_to_text(body))
    return "\n".join(seen)


def structure(raw: bytes) -> list[tuple[str, str | None, str | None]]:
    message = email.message_from_bytes(raw)
    return [
        (part.get_content_type(), part.get("Content-Transfer-Encoding"), part.get_content_charset())
        for part in message.walk()
    ]


def run(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALIWATCH, *args], capture_output=True, text=True, env=env, check=False, timeout=120,
        cwd=cwd,
    )  # fmt: skip


@pytest.fixture
def env(tmp_path):
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ALIWATCH_DB_PATH": str(tmp_path / "state" / "aliwatch.db"),
    }


def test_the_test_mail_carries_every_original():
    seen = decoded_texts(personal_mail()) + personal_mail().decode("ascii", "replace")
    for original in ORIGINALS:
        assert original in seen, original


def test_no_original_survives_and_the_meaning_does(env, tmp_path):
    source = tmp_path / "mine.eml"
    source.write_bytes(personal_mail())
    result = run(env, "anonymize", str(source), "-o", "fixture.eml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    copy = (tmp_path / "fixture.eml").read_bytes()
    seen = (decoded_texts(copy) + copy.decode("ascii", "replace")).lower()
    for original in ORIGINALS:
        assert original.lower() not in seen, original
        assert original.lower() not in result.stdout.lower(), original
    assert "Received" not in copy.decode() and "Delivered-To" not in copy.decode()

    assert structure(copy) == structure(personal_mail())
    before, after = recognise(personal_mail()), recognise(copy)
    assert (after.kind, after.language, after.amount, after.currency) == (
        before.kind, before.language, before.amount, before.currency,
    )  # fmt: skip
    assert after.sender == "transaction@notice.aliexpress.com"  # the relay still undone
    assert len(after.order_ids) == 2 and after.parcel_id and after.parcel_id != PARCEL
    assert after.sent_at == before.sent_at  # dates kept
    assert "12/11/2026" in decoded_texts(copy) and "Kostenlose Rückgabe" in decoded_texts(copy)

    spec = json.loads((tmp_path / "fixture.json").read_text())
    assert spec["expected"]["kind"] == "order_shipped"
    assert spec["expected"]["order_ids"] == list(after.order_ids)
    assert result.stdout.startswith(
        "replaced: 1 name, 2 postal address lines, 3 e-mail addresses, 1 phone number, "
        "2 order numbers, 1 parcel or other long number, 2 link tokens\n"
        "dropped 2 header lines a fixture does not need (Delivered-To, Received)\n"
    )
    key = Path(env["ALIWATCH_DB_PATH"]).parent / "anonymize.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_the_same_real_number_gets_the_same_fake_in_every_mail(env, tmp_path):
    first, second = tmp_path / "a.eml", tmp_path / "b.eml"
    first.write_bytes(personal_mail())
    second.write_bytes(personal_mail().replace(b"versandt", b"versandt "))
    run(env, "anonymize", str(first), "-o", "a-copy.eml", cwd=tmp_path)
    run(env, "anonymize", str(second), "-o", "b-copy.eml", cwd=tmp_path)
    a = recognise((tmp_path / "a-copy.eml").read_bytes())
    b = recognise((tmp_path / "b-copy.eml").read_bytes())
    assert a.order_ids == b.order_ids and a.parcel_id == b.parcel_id
    assert ORDER_A not in a.order_ids


def test_an_existing_output_is_kept_unless_forced(env, tmp_path):
    source = tmp_path / "mine.eml"
    source.write_bytes(personal_mail())
    (tmp_path / "fixture.eml").write_text("keep me")
    refused = run(env, "anonymize", str(source), "-o", "fixture.eml", cwd=tmp_path)
    assert refused.returncode == 1
    assert "fixture.eml exists: choose another -o OUT, or --force" in refused.stderr
    assert (tmp_path / "fixture.eml").read_text() == "keep me"
    forced = run(env, "anonymize", str(source), "-o", "fixture.eml", "--force", cwd=tmp_path)
    assert forced.returncode == 0 and (tmp_path / "fixture.eml").read_text() != "keep me"


def test_a_file_or_a_uid_is_required(env, tmp_path):
    result = run(env, "anonymize", cwd=tmp_path)
    assert result.returncode == 1 and "give one mail: a FILE, or --uid N" in result.stderr


@pytest.mark.parametrize("fixture", load_fixtures() + load_fixtures(HOLDOUT), ids=lambda f: f.id)
def test_anonymising_a_fixture_keeps_what_it_means(fixture):
    raw = fixture.eml.read_bytes()
    copy = Anonymizer(b"aliwatch-test-key-0123456789").anonymize(raw).data
    before, after = recognise(raw), recognise(copy)
    assert (after.kind, after.stage, len(after.order_ids), after.attention, after.authentic) == (
        before.kind, before.stage, len(before.order_ids), before.attention, before.authentic,
    )  # fmt: skip
    for order in before.order_ids:
        assert order.encode() not in copy


@pytest.mark.real_server
def test_anonymize_a_uid_over_imap_reads_only(imap_server: ImapServer, tmp_path):
    imap_server.recreate_folder("anon")
    uid = imap_server.append("anon", personal_mail())
    env = {**env_for(imap_server, tmp_path, "anon")}
    result = run(
        env, "anonymize", "--uid", str(uid), "--folder", "anon", "-o", "u.eml", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    copy = (tmp_path / "u.eml").read_bytes()
    assert recognise(copy).kind.value == "order_shipped"
    assert ORDER_A.encode() not in copy and NAME.encode() not in copy
    # The copy explains itself like the original: the Apple relay undone, the row that matched.
    explained = run(env, "parse", "--explain", "u.eml", cwd=tmp_path).stdout
    assert "relay undone: apple" in explained
    assert "decision: subject matches order_shipped/de/" in explained
    # The same bytes from a file give the same copy: one key, one mapping.
    (tmp_path / "same.eml").write_bytes(personal_mail())
    run(env, "anonymize", str(tmp_path / "same.eml"), "-o", "f.eml", cwd=tmp_path)
    assert recognise((tmp_path / "f.eml").read_bytes()).order_ids == recognise(copy).order_ids
    with imap_server.client() as imap:
        imap.select_folder("anon", readonly=True)
        # Fetched with BODY.PEEK: no \\Seen, the mailbox unchanged (\\Recent is the server's).
        assert b"\\Seen" not in imap.get_flags([uid])[uid]
    missing = run(env, "anonymize", "--uid", "999", "--folder", "anon", cwd=tmp_path)
    assert missing.returncode == 1
    assert (
        "no mail with UID 999 in anon (aliwatch unknown lists folders and UIDs)" in missing.stderr
    )
