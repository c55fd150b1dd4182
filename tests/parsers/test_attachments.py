"""A large mail's attachments are cut out before parsing; its meaning and text parts are kept."""

from __future__ import annotations

import email
import random
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from aliwatch.parsers import recognise
from aliwatch.parsers.attachments import STRIP_ABOVE, Stripper, without_attachments
from tests.fixture_corpus import FIXTURES

SHIPPED = (FIXTURES / "order" / "order_shipped_en.eml").read_bytes()
TEXT = "Your order 8200669912870043 has shipped, and you can track its every move."


def big_mail(attachments: list[int], *, nested: bool = False, html: bool = True) -> bytes:
    original = email.message_from_bytes(SHIPPED)
    mail = EmailMessage()
    for name in ("From", "To", "Subject", "Date", "Message-ID", "Authentication-Results"):
        mail[name] = original[name]
    mail.set_content(TEXT)
    if html:
        mail.add_alternative(f"<p>{TEXT}</p>", subtype="html")
    rng = random.Random(len(attachments))
    if nested:
        mail.make_mixed()
    for n, size in enumerate(attachments):
        payload = rng.randbytes(size)
        if nested:
            inner = EmailMessage()
            inner.add_attachment(payload, maintype="image", subtype="png", filename=f"{n}.png")
            mail.attach(inner)
        else:
            mail.add_attachment(payload, maintype="application", subtype="pdf", filename=f"{n}.pdf")
    return bytes(mail)


def texts(raw: bytes) -> list[str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]


def test_small_mail_is_left_alone():
    assert without_attachments(SHIPPED) is SHIPPED


def test_a_large_attachment_is_cut_out_and_the_text_parts_stay_byte_for_byte():
    raw = big_mail([3 * STRIP_ABOVE])
    stripped = without_attachments(raw)
    assert len(stripped) < 20_000 < len(raw)
    assert texts(stripped) == texts(raw)
    assert recognise(stripped).to_json() == recognise(raw).to_json()
    parts = [p.get_content_type() for p in email.message_from_bytes(stripped).walk()]
    assert parts == [p.get_content_type() for p in email.message_from_bytes(raw).walk()]


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.integers(0, 200_000), min_size=1, max_size=4),
    st.booleans(),
    st.booleans(),
)
def test_any_tree_of_attachments_keeps_its_text_and_meaning(sizes, nested, html):
    raw = big_mail([*sizes, STRIP_ABOVE], nested=nested, html=html)
    stripped = without_attachments(raw)
    assert texts(stripped) == texts(raw)
    assert recognise(stripped).kind == recognise(raw).kind
    assert len(stripped) < 64_000


def test_a_huge_text_part_is_kept_up_to_its_limit():
    mail = EmailMessage()
    mail["From"] = "AliExpress <transaction@notice.aliexpress.com>"
    mail["Subject"] = "Order 8200669912870043: order shipped"
    mail.set_content(TEXT + "\n" + "x" * (3 * STRIP_ABOVE), cte="7bit")
    stripped = without_attachments(bytes(mail))
    assert TEXT.encode() in stripped and len(stripped) < 5 * 1024 * 1024
    assert recognise(stripped).kind.value == "order_shipped"


@given(st.integers(1, 5000))
@settings(max_examples=10, deadline=None)
def test_lines_ended_by_a_bare_cr_hide_no_attachment(piece):
    """The email package ends a line at a bare CR too: a walk by LF alone kept a 12 MB
    attachment of such a mail whole (make fuzz). Pieces may split a CR from its LF."""
    lf = big_mail([3 * STRIP_ABOVE])
    assert b"\r" not in lf.replace(b"\r\n", b"")
    crlf, cr = lf.replace(b"\n", b"\r\n"), lf.replace(b"\n", b"\r")
    stripped = without_attachments(cr)
    assert len(stripped) < STRIP_ABOVE // 4
    assert recognise(stripped).to_json() == recognise(crlf).to_json()
    stripper = Stripper()
    for start in range(0, len(crlf), piece * 997):
        stripper.feed(crlf[start : start + piece * 997])
    assert stripper.finish() == without_attachments(crlf)
