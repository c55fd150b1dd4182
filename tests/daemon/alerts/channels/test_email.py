"""The email channel against a real SMTP server (aiosmtpd with STARTTLS and AUTH)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller

from aliwatch.daemon.alerts.channels.channel import ChannelError, Outgoing
from aliwatch.daemon.alerts.channels.email_channel import EmailChannel, message_id
from aliwatch.daemon.config.settings import Settings
from aliwatch.rules.decide import Decision
from tests.servers.dovecot import _free_port
from tests.servers.smtp import PASSWORD, Recorder
from tests.support import NOW

pytestmark = pytest.mark.real_server
PROPOSAL = Decision(
    key="proposal_waiting:8211968327930027:2026-12-04T07:59:00+00:00",
    order_id="8211968327930027",
    rule="proposal_waiting",
    headline="The seller made a proposal in your dispute",
    advice="Answer the proposal on the dispute page before the deadline.",
    due=datetime(2026, 12, 4, 7, 59, tzinfo=UTC),
    urgent=True,
    details={"proposed": "0.00 USD", "paid": "23.40 USD"},
)


def settings_for(smtp_server, **changes: str) -> Settings:
    values = {k.removeprefix("ALIWATCH_").lower(): v for k, v in smtp_server.env().items()}
    values.update(changes)
    return Settings(**values)


def send(smtp_server, decision: Decision = PROPOSAL, **changes: str) -> None:
    settings = settings_for(smtp_server, timezone="America/Los_Angeles", **changes)
    channel = EmailChannel(settings.smtp())
    channel.send(Outgoing(decision.key, decision, NOW, settings.zone()))


def test_an_alert_arrives_over_starttls_with_auth(smtp_server):
    send(smtp_server)
    assert smtp_server.recorder.wait_for(1, 10)
    [mail] = smtp_server.messages
    assert mail["Subject"] == (
        "[URGENT] Answer the seller's proposal by Thu 3 Dec 23:59 — order 8211968327930027"
    )
    assert (mail["Importance"], mail["X-Priority"]) == ("high", "1")
    assert mail["To"] == "buyer@example.net"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Message-ID"] == message_id(PROPOSAL.key, "buyer@example.net")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Thu 3 Dec 2026 23:59 PST (in 7 d 19 h)" in text
    assert "Proposed refund: 0.00 USD (you paid 23.40 USD)" in text
    assert "https://www.aliexpress.com/p/order/detail.html?orderId=8211968327930027" in html


def test_an_ordinary_alert_is_not_marked_urgent(smtp_server):
    stalled = Decision(
        key="parcel_stalled:8211968327930027", order_id="8211968327930027", rule="parcel_stalled",
        headline="h", advice="a", due=NOW - timedelta(days=1),
    )  # fmt: skip
    send(smtp_server, stalled)
    assert smtp_server.recorder.wait_for(1, 10)
    [mail] = smtp_server.messages
    assert mail["Subject"].startswith("Check the stalled parcel (overdue since")
    assert mail["Importance"] is None


def test_text_from_a_mail_cannot_inject_headers_or_markup(smtp_server):
    hostile = Decision(
        key="pressure:8211968327930027:1",
        order_id="8211968327930027",
        rule="pressure",
        headline="Seller says\r\nBcc: victim@example.com\r\n<script>alert(1)</script>",
        advice="<img src=x onerror=alert(1)>",
        details={"claims": "Title\r\nX-Injected: yes <b>bold</b>"},
    )
    send(smtp_server, hostile)
    assert smtp_server.recorder.wait_for(1, 10)
    [mail] = smtp_server.messages
    assert mail["Bcc"] is None and mail["X-Injected"] is None
    html = mail.get_body(("html",)).get_content()
    assert "<script>" not in html and "<img" not in html and "<b>bold" not in html
    assert "&lt;script&gt;" in html


def test_a_wrong_smtp_password_is_a_channel_error_without_the_password(smtp_server):
    wrong = "not-" + PASSWORD
    with pytest.raises(ChannelError, match="refused the login") as caught:
        send(smtp_server, smtp_password=wrong)
    assert wrong not in str(caught.value) and PASSWORD not in str(caught.value)
    assert smtp_server.messages == []


def test_a_certificate_that_does_not_verify_is_refused(smtp_server):
    with pytest.raises(ChannelError, match="did not verify"):
        send(smtp_server, smtp_ca_file="")
    assert smtp_server.messages == []


def test_a_server_that_is_down_is_a_channel_error_naming_the_port_setting(smtp_server):
    smtp_server.stop()
    with pytest.raises(ChannelError) as caught:
        send(smtp_server)
    message = str(caught.value)
    assert message.startswith(f"{smtp_server.host}:{smtp_server.port} refused the connection")
    assert "ALIWATCH_SMTP_PORT" in message


def test_a_name_that_does_not_resolve_names_the_host_setting(smtp_server):
    # RFC 2606 reserves .invalid: it never resolves.
    with pytest.raises(ChannelError) as caught:
        send(smtp_server, smtp_host="smtp.aliwatch.invalid")
    assert str(caught.value).startswith("cannot resolve ALIWATCH_SMTP_HOST smtp.aliwatch.invalid")


def test_a_server_without_starttls_is_said_to_offer_none_with_what_to_set(smtp_server):
    # A real aiosmtpd without a TLS context: its EHLO reply lists no STARTTLS.
    plain = Controller(Recorder(), hostname="127.0.0.1", port=_free_port())
    plain.start()
    try:
        with pytest.raises(ChannelError) as caught:
            send(smtp_server, smtp_port=str(plain.port))
    finally:
        plain.stop()
    message = str(caught.value)
    assert message.startswith(f"127.0.0.1:{plain.port} offers no STARTTLS")
    assert "ALIWATCH_SMTP_SECURITY=ssl and ALIWATCH_SMTP_PORT" in message


def test_the_channel_name_is_not_in_its_messages(smtp_server):
    # `check` prints "email: FAILED: <message>"; the log has channel=email beside it.
    with pytest.raises(ChannelError) as caught:
        send(smtp_server, smtp_password="not-" + PASSWORD)
    assert not str(caught.value).startswith("email")


def test_the_subject_says_first_that_the_mail_is_unverified_and_gives_no_deadline(smtp_server):
    unverified = Decision(
        key="unverified:1",
        order_id="8200000000000101",
        rule="unverified",
        headline="Unverified mail claims the seller made a proposal in your dispute: check the "
        "order page on aliexpress.com",
        advice="Do not act on the mail itself.",
        due=NOW + timedelta(days=1),
        verified=False,
        details={"claims": "The seller made a proposal in your dispute",
                 "claimed_rule": "proposal_waiting"},
    )  # fmt: skip
    send(smtp_server, unverified)
    assert smtp_server.recorder.wait_for(1, 10)
    message = smtp_server.messages[0]
    assert message["Subject"] == (
        "[URGENT] Unverified mail claims the seller made a proposal in your dispute: check the"
        " order page — order 8200000000000101"
    )
    assert message["Importance"] == "high"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Unverified mail claims the seller made a proposal in your dispute")
    assert "Deadline the mail claims: Fri 27 Nov" in text


def test_a_deadline_already_passed_reads_overdue_not_by(smtp_server):
    stalled = Decision(
        key="parcel_stalled:8200000000000202:LP1",
        order_id="8200000000000202",
        rule="parcel_stalled",
        headline="The parcel has had no tracking update for a long time",
        advice="Look at the tracking.",
        due=NOW - timedelta(days=3),
    )
    send(smtp_server, stalled)
    assert smtp_server.recorder.wait_for(1, 10)
    assert smtp_server.messages[0]["Subject"] == (
        "Check the stalled parcel (overdue since Mon 23 Nov 04:00) — order 8200000000000202"
    )
