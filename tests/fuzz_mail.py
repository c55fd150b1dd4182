"""Hostile mail for the daemon fuzz harnesses (benchmarks/fuzz_daemon.py, make fuzz, and its short
version tests/e2e/test_fuzz_daemon.py), and the check of what `aliwatch run --once` recorded of it.

Every mail starts from a real one (tests/fixtures/**/*.eml, examples/mailbox), gets a sender
(about half an AliExpress one: the notice address or its Apple "Hide My Email" relay form) and a
unique Message-ID, then one or more mutations. All randomness comes from one seeded
`random.Random`, so a seed gives the same mails again.
"""

from __future__ import annotations

import base64
import hashlib
import imaplib
import itertools
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path

from imapclient import IMAPClient

from tests.servers.dovecot import Dovecot
from tests.support import wait_until

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    [p for p in (ROOT / "tests" / "fixtures").rglob("*.eml")]
    + [
        p
        for p in (ROOT / "examples" / "mailbox").rglob("*")
        if p.is_file() and p.name != ".gitkeep"
    ]
)
ALIEXPRESS_ADDRESS = "transaction@notice.aliexpress.com"
ALIEXPRESS_FROM = f"AliExpress <{ALIEXPRESS_ADDRESS}>"
_RELAY = re.compile(
    r"transaction_at_notice_aliexpress_com(?:_[a-z0-9]+)+@privaterelay\.appleid\.com"
)
OTHER_FROMS = (
    "Newsletter <news@shop.example>",
    "Jonas Becker <j.becker@example.net>",
    '"Paket-Service" <noreply@parcel.example.de>',
    "billing@bank.example",
    "=?utf-8?q?M=C3=BCller?= <m@example.org>",
    "Ali Express Fan <fan@aliexpress-deals.example>",  # a lookalike, not the sender
)
# Event kinds a recognised mail carries; `unrecognized` is AliExpress mail no row matched.
NO_EVENT_KINDS = frozenset({"not_aliexpress", "promotion"})
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_FROM_LINE = re.compile(rb"(?im)^from:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*")
_MESSAGE_ID = re.compile(rb"(?i)(message-id:[ \t]*<)")
_CHARSET = re.compile(rb'(?i)charset="?[^";\s]*"?')
_BOUNDARY = re.compile(rb'(?i)boundary="?([^";\r\n]*)"?')
_SUBJECT = re.compile(rb"(?im)^subject:[ \t]*")
_CONTENT_LINES = re.compile(
    rb"(?im)^(content-type|content-transfer-encoding):[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n"
)


@dataclass(frozen=True)
class Scale:
    """How far the mutations go: the benchmark's defaults, smaller ones for the test suite."""

    max_depth: int = 800  # nested multiparts
    max_header_bytes: int = 1024 * 1024  # one header line
    # Distinct header lines in one mail. Recognition costs O(n^2) in them (parsers/mime.py
    # read_mail deletes each unwanted header name on its own: 8,000 take 5 s, 76,000 take 9 min),
    # so the random mutation stays below that; the harness probes it once on its own (PROBE_LINES).
    max_header_lines: int = 2000
    # Letters in one word of the subject, and adjacent encoded words (decoded, one word): the
    # parser's fold() is O(n^2) in a word's length (parsers/fold.py, _NUMBERS: 50,000 letters take
    # 37 s), so the random mutations stay short and the harness probes it once (PROBES).
    max_subject_word: int = 3000
    giant_bytes: tuple[int, int] = (256 * 1024, 12 * 1024 * 1024)  # a base64 part, decoded
    # Order numbers in one mail, and how often a mail gets them. Each number a recognised mail
    # names becomes an order, and `run` evaluates every order on every pass, once a minute too
    # (1,000 take about 1.8 s): the mix keeps their total to some tens of thousands, and the
    # harness probes a few mails of 10,000 each on their own (PROBES).
    max_orders: int = 3000
    orders_weight: float = 0.04
    giant_weight: float = 1.0  # relative weight of the giant-part mutation


SMALL = Scale(
    max_depth=300,
    max_header_bytes=128 * 1024,
    giant_bytes=(64 * 1024, 3 * 1024 * 1024),
    max_orders=2000,
    max_header_lines=1000,
    giant_weight=0.3,
)


@dataclass
class Mail:
    n: int
    raw: bytes
    sender: str  # what was put in From: "aliexpress", "relay" or "other"
    mutations: list[str]


def split_head(raw: bytes) -> tuple[bytes, bytes, bytes]:
    """(header block, separator, body); without a blank line the whole mail is the head."""
    match = _HEAD_END.search(raw)
    if match is None:
        return raw, b"", b""
    return raw[: match.start()], raw[match.start() : match.end()], raw[match.end() :]


def from_sender(raw: bytes) -> str | None:
    """ "aliexpress" or "relay" when the mail's From header (the first one, as the stdlib reads
    the header block) names the AliExpress notice address or its Apple relay form, else None."""
    head = split_head(raw)[0] + b"\r\n\r\n"
    try:
        value = BytesHeaderParser(policy=compat32).parsebytes(head).get("From")
    except Exception:  # noqa: BLE001 - an unreadable header block names no sender
        return None
    if value is None:
        return None
    for _, found in getaddresses([str(value)]):
        address = found.strip().lower()
        if address == ALIEXPRESS_ADDRESS:
            return "aliexpress"
        if _RELAY.fullmatch(address):
            return "relay"
    return None


class Generator:
    """Hostile mails from one seed; `mail(n)` draws the next one from the shared stream."""

    def __init__(self, seed: int, scale: Scale | None = None) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.scale = scale or Scale()
        self.sources = [p.read_bytes() for p in SOURCES]
        self._mutations: list[tuple[str, float, Callable[[bytes], bytes]]] = [
            ("truncate", 1.0, self.truncate),
            ("flip", 1.5, self.flip),
            ("boundary", 1.5, self.boundary),
            ("nesting", 0.8, self.nesting),
            ("huge_header", 0.8, self.huge_header),
            ("charset", 1.5, self.charset),
            ("encoded_word", 1.5, self.encoded_word),
            ("nul", 1.0, self.nul),
            ("garbage8", 1.2, self.garbage8),
            ("giant_base64", 0.12 * self.scale.giant_weight, self.giant_base64),
            ("orders", self.scale.orders_weight, self.orders),
            ("html", 1.0, self.html),
            ("line_endings", 0.7, self.line_endings),
            ("header_shape", 0.8, self.header_shape),
            ("encoding", 0.8, self.encoding),
            ("random_bytes", 0.15, self.random_bytes),
        ]

    # -- the mail --------------------------------------------------------------------------

    def mail(self, n: int, attempt: int = 0) -> Mail:
        rng = self.rng
        raw = rng.choice(self.sources)
        roll = rng.random()
        sender = "aliexpress" if roll < 0.32 else "relay" if roll < 0.52 else "other"
        raw = self.set_from(raw, sender)
        tag = b"fz%d.%d.%d." % (self.seed, n, attempt)
        raw, found = _MESSAGE_ID.subn(lambda m: m.group(1) + tag, raw)
        if not found:
            raw = b"Message-ID: <" + tag + b"x@fuzz.example>\r\n" + raw
        count = rng.choice((1, 1, 1, 2, 2, 3)) if rng.random() > 0.1 else rng.randint(4, 6)
        names, weights = zip(*((m[0], m[1]) for m in self._mutations), strict=True)
        functions = {m[0]: m[2] for m in self._mutations}
        applied = []
        for name in rng.choices(names, weights=weights, k=count):
            raw = functions[name](raw)
            applied.append(name)
        return Mail(n, raw, sender, applied)

    def set_from(self, raw: bytes, sender: str) -> bytes:
        rng = self.rng
        if sender == "aliexpress":
            value = rng.choice(
                (ALIEXPRESS_FROM, ALIEXPRESS_ADDRESS, f'"AliExpress" <{ALIEXPRESS_ADDRESS}>')
            )
        elif sender == "relay":
            blocks = "".join(
                "_"
                + "".join(
                    rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                    for _ in range(rng.randint(4, 12))
                )
                for _ in range(rng.randint(1, 3))
            )
            address = f"transaction_at_notice_aliexpress_com{blocks}@privaterelay.appleid.com"
            value = rng.choice(
                (f"AliExpress <{address}>", address, f'"AliExpress Transaction" <{address}>')
            )
        else:
            value = rng.choice(OTHER_FROMS)
        head, sep, body = split_head(raw)
        line = b"From: " + value.encode()
        head, found = _FROM_LINE.subn(lambda _: line, head)
        if not found:
            head = line + b"\r\n" + head
        # For "other" senders the fixtures' other AliExpress marks stay (Return-Path, DKIM,
        # links): the daemon may still recognise them; only an AliExpress From is held to account.
        return head + (sep or b"\r\n\r\n") + body

    # -- mutations -------------------------------------------------------------------------

    def truncate(self, raw: bytes) -> bytes:
        rng = self.rng
        if rng.random() < 0.3:  # inside the header block
            return raw[: rng.randint(0, len(split_head(raw)[0]))]
        return raw[: rng.randint(0, len(raw))]

    def flip(self, raw: bytes) -> bytes:
        rng = self.rng
        data = bytearray(raw)
        if not data:
            return raw
        head_len = len(split_head(raw)[0])
        for _ in range(rng.choice((1, 3, 10, 50, 300))):
            top = head_len if rng.random() < 0.5 and head_len else len(data)
            data[rng.randrange(top)] = rng.randrange(256)
        return bytes(data)

    def boundary(self, raw: bytes) -> bytes:
        rng = self.rng
        found = _BOUNDARY.search(raw)
        choice = rng.randrange(7)
        if found is None or choice == 0:  # declare a multipart whose delimiters never come
            head, sep, body = split_head(raw)
            head = _CONTENT_LINES.sub(b"", head + b"\r\n").rstrip(b"\r\n")
            value = rng.choice((b"nowhere", b"", b"\xff\xfe", b'"', b"a" * 5000, b"--"))
            return (
                head
                + b'\r\nContent-Type: multipart/mixed; boundary="'
                + value
                + b'"'
                + (sep or b"\r\n\r\n")
                + body
            )
        old = found.group(1)
        if choice == 1:  # another boundary than the delimiters use
            new = rng.choice(
                (
                    b"x" + old,
                    old[:-1],
                    b"",
                    b" ",
                    b"\x00\x01",
                    bytes(rng.randrange(128, 256) for _ in range(20)),
                )
            )
            return raw[: found.start(1)] + new + raw[found.end(1) :]
        if choice == 2 and old:  # the closing delimiter goes
            return raw.replace(b"--" + old + b"--", b"")
        if choice == 3 and old:  # delimiters doubled, or cut into each other
            parts = raw.split(b"--" + old)
            out = parts[0]
            for part in parts[1:]:
                out += (
                    (b"--" + old) * rng.randint(1, 3) + part[: rng.randint(0, len(part))]
                    if rng.random() < 0.3
                    else b"--" + old + part
                )
            return out
        if choice == 4:  # the boundary parameter is gone
            return raw[: found.start()] + raw[found.end() :]
        if choice == 5 and old:  # delimiters without their line breaks
            return raw.replace(b"\r\n--" + old, b"--" + old).replace(b"\n--" + old, b"--" + old)
        if rng.random() < 0.5:  # an empty boundary: every line starting "--" delimits
            return raw[: found.start(1)] + raw[found.end(1) :]
        return raw.replace(old, b"-", 3) if old else raw

    def nesting(self, raw: bytes) -> bytes:
        rng = self.rng
        depth = rng.randint(100, self.scale.max_depth)
        head, _, body = split_head(raw)
        content = b"".join(m.group(0) for m in _CONTENT_LINES.finditer(head + b"\r\n"))
        head = _CONTENT_LINES.sub(b"", head + b"\r\n").rstrip(b"\r\n")
        kind = rng.choice((b"mixed", b"alternative", b"related", b"digest"))
        opening = b"".join(
            b'--n%d\r\nContent-Type: multipart/%s; boundary="n%d"\r\n\r\n' % (i, kind, i + 1)
            for i in range(depth)
        )
        inner = b"--n%d\r\n" % depth + (content or b"Content-Type: text/plain\r\n") + b"\r\n" + body
        closing = (
            b"".join(b"\r\n--n%d--" % i for i in range(depth, -1, -1))
            if rng.random() < 0.5
            else b""
        )
        return (
            head
            + b'\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="n0"\r\n\r\n'
            + opening
            + inner
            + closing
            + b"\r\n"
        )

    def huge_header(self, raw: bytes) -> bytes:
        rng = self.rng
        size = rng.randint(10_000, self.scale.max_header_bytes)
        head, sep, body = split_head(raw)
        how = rng.randrange(6)
        if how == 5:  # one long word in the subject (fold() is O(n^2) in it: kept short here)
            word = bytes(
                rng.choice(b"abcdefghij")
                for _ in range(rng.randint(100, self.scale.max_subject_word))
            )
            head, found = _SUBJECT.subn(lambda m: m.group(0) + word + b" ", head, count=1)
            if not found:
                head += b"\r\nSubject: " + word
        elif how == 0:  # one enormous unfolded line
            line = b"X-Junk: " + bytes(
                rng.choice(b"abcdefghij ") for _ in range(min(size, 4096))
            ) * (size // 4096 + 1)
            head = head + b"\r\n" + line[:size]
        elif how == 1:  # the subject itself
            head = _SUBJECT.sub(
                lambda m: m.group(0) + b"Order 8200000000000001 " * (size // 23), head, count=1
            )
        elif how == 2:  # thousands of continuation lines
            head = (
                head + b"\r\nX-Folded: start" + b"\r\n\tcontinued 8200000000000002" * (size // 28)
            )
        elif how == 3:  # a To with thousands of addresses
            head = (
                head + b"\r\nTo: " + b", ".join(b"u%d@example.net" % i for i in range(size // 18))
            )
        else:  # thousands of header lines
            lines = min(size // 12, self.scale.max_header_lines)
            head = head + b"".join(b"\r\nX-H%d: v" % i for i in range(lines))
        return head + (sep or b"\r\n\r\n") + body

    def charset(self, raw: bytes) -> bytes:
        rng = self.rng
        bad = (
            b"x-unknown", b"utf-8\xff", b"", b"utf-7", b"unicode-1-1-utf-7", b"utf-16",
            b"utf-32-be", b"iso-2022-jp", b"..", b"\x00", b"cp65001", b"a" * 300, b"idna",
            b"rot13", b"base64", b"hz", b"mbcs", b"utf_8_sig", b"zlib_codec", b"punycode",
            b"unicode_escape",
        )  # fmt: skip
        out = _CHARSET.sub(lambda _: b'charset="' + rng.choice(bad) + b'"', raw)
        if out == raw:
            head, sep, body = split_head(raw)
            out = (
                head
                + b"\r\nContent-Type: text/plain; charset="
                + rng.choice(bad)
                + (sep or b"\r\n\r\n")
                + body
            )
        return out

    def encoded_word(self, raw: bytes) -> bytes:
        rng = self.rng
        words = (
            b"=?x-bogus?Q?Bestellung_8200000000000003?=", b"=?utf-8?B?####?=",
            b"=?utf-8?Q?=ZZ=0?=", b"=?utf-8*en?B?T3JkZXI=?=", b"=?=?=", b"=?utf-8?B?",
            b"=?utf-8?q?a=0D=0ABcc:_x@evil.example?=", b"=?utf-16?b?2D3eAA==?=",
            b"=?utf-7?q?+AGEAYgBj-?=", b"=?iso-8859-1?q?" + b"=E9" * 2000 + b"?=",
            b"=?utf-8?b?" + base64.b64encode(bytes(rng.randrange(256) for _ in range(60))) + b"?=",
            b"=?" + b"a" * 500 + b"?q?x?=", b"=?utf-8?x?unknown-encoding?=", b"=?utf-8?q??=",
        )  # fmt: skip
        head, sep, body = split_head(raw)
        word = b" ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.2:  # adjacent encoded words decode to one word (RFC 2047 section 6.2)
            word = b" ".join(
                b"=?utf-8?q?ab?=" for _ in range(rng.randint(10, self.scale.max_subject_word // 2))
            )
        where = rng.randrange(3)
        if where == 0:
            head, found = _SUBJECT.subn(lambda m: m.group(0) + word + b" ", head, count=1)
            if not found:
                head += b"\r\nSubject: " + word
        elif where == 1:  # the From display name (the address stays)
            head = re.sub(
                rb"(?im)^(from:[ \t]*)", lambda m: m.group(1) + word + b" ", head, count=1
            )
        else:
            head += b"\r\nX-Encoded: " + word
        return head + (sep or b"\r\n\r\n") + body

    def nul(self, raw: bytes) -> bytes:
        rng = self.rng
        data = bytearray(raw)
        for _ in range(rng.choice((1, 5, 50, 500))):
            pos = rng.randint(0, len(data))
            data[pos:pos] = b"\x00" * rng.choice((1, 1, 4, 64))
        if rng.random() < 0.2:
            return bytes(data).replace(b"e", b"e\x00")
        return bytes(data)

    def garbage8(self, raw: bytes) -> bytes:
        rng = self.rng
        head, sep, body = split_head(raw)

        def junk(n: int) -> bytes:
            return bytes(
                rng.choice((rng.randrange(128, 256), rng.randrange(1, 32), rng.randrange(32, 127)))
                for _ in range(n)
            )

        how = rng.randrange(4)
        if how == 0:
            head, _ = _SUBJECT.subn(lambda m: m.group(0) + junk(rng.randint(1, 200)), head, count=1)
        elif how == 1:
            head = re.sub(
                rb"(?im)^(from:[ \t]*)",
                lambda m: (
                    m.group(1)
                    + junk(rng.randint(1, 60)).replace(b"<", b"").replace(b"\n", b"")
                    + b" "
                ),
                head,
                count=1,
            )
        elif how == 2:  # a header whose name is garbage
            head += (
                b"\r\n"
                + junk(rng.randint(1, 40)).replace(b":", b"")
                + b": "
                + junk(rng.randint(1, 200))
            )
        else:
            head += b"\r\nX-Garbage: " + junk(rng.randint(100, 5000)).replace(b"\r", b"").replace(
                b"\n", b""
            )
        return head + (sep or b"\r\n\r\n") + body

    def giant_base64(self, raw: bytes) -> bytes:
        rng = self.rng
        low, high = self.scale.giant_bytes
        size = int(min(high, low * (high / low) ** rng.random()))  # log-uniform
        block = rng.randbytes(64 * 1024)
        data = (block * (size // len(block) + 1))[:size]
        encoded = base64.b64encode(data)
        how = rng.randrange(4)
        if how == 0:
            lines = encoded  # one line of megabytes
        else:
            lines = b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
            if how == 2:  # invalid characters and padding inside
                lines = lines.replace(b"A", b"!", 5000).replace(b"Q", b"=", 100)
        head, _, body = split_head(raw)
        content = b"".join(m.group(0) for m in _CONTENT_LINES.finditer(head + b"\r\n"))
        head = _CONTENT_LINES.sub(b"", head + b"\r\n").rstrip(b"\r\n")
        if how == 3:  # the text part itself is the giant one
            part_type = b"text/html; charset=utf-8"
            inner = b"--g\r\n" + (content or b"Content-Type: text/plain\r\n") + b"\r\n" + body
        else:
            part_type = b'application/octet-stream; name="a.bin"'
            inner = b"--g\r\n" + (content or b"Content-Type: text/plain\r\n") + b"\r\n" + body
        attachment = (
            b"\r\n--g\r\nContent-Type: " + part_type + b"\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment\r\n\r\n" + lines + b"\r\n"
        )
        closing = b"--g--\r\n" if rng.random() < 0.7 else b""
        return (
            head
            + b'\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="g"\r\n\r\n'
            + inner
            + attachment
            + closing
        )

    def orders(self, raw: bytes) -> bytes:
        rng = self.rng
        count = rng.randint(1000, self.scale.max_orders)
        numbers = [b"82%014d" % rng.randrange(10**14) for _ in range(count)]
        how = rng.randrange(3)
        if how == 0:
            text = b" ".join(numbers)
        elif how == 1:
            text = b"".join(
                b'<a href="https://www.aliexpress.com/p/order/detail.html?orderId=%s">%s</a>\r\n'
                % (o, o)
                for o in numbers
            )
        else:
            text = b"\r\n".join(b"Order %s tradeOrderId=%s o_ids=%s" % (o, o, o) for o in numbers)
        head, sep, body = split_head(raw)
        if rng.random() < 0.2:
            head, _ = _SUBJECT.subn(
                lambda m: m.group(0) + b" ".join(numbers[:300]) + b" ", head, count=1
            )
        cut = rng.randint(0, len(body))
        return head + (sep or b"\r\n\r\n") + body[:cut] + b"\r\n" + text + b"\r\n" + body[cut:]

    def html(self, raw: bytes) -> bytes:
        rng = self.rng
        n = rng.choice((100, 1000, 10_000, 50_000))
        junk = rng.choice((
            b"<div>" * n,
            b"<table><tr><td>" * (n // 3),
            b"<script>" + b"var a = '<p>';" * n,
            b"<!-- " + b"never closed " * n,
            b"<style>" + b"p{}" * n,
            b'<a href="https://www.aliexpress.com/p/order/detail.html?orderId='
            + b"8200000000000004"
            + b"x" * n,
            b"<b><i><u>" * (n // 3) + b"</p></p></p>" * n,
            b"<![CDATA[" + b"]" * n,
            b"&" * n + b"&#x110000;&#99999999999;&bogus;",
            b"<p " + b'a="b" ' * n,
        ))  # fmt: skip
        head, sep, body = split_head(raw)
        if rng.random() < 0.4:
            head = re.sub(rb"(?i)text/plain", b"text/html", head)
        cut = rng.randint(0, len(body))
        return head + (sep or b"\r\n\r\n") + body[:cut] + junk + body[cut:]

    def line_endings(self, raw: bytes) -> bytes:
        rng = self.rng
        how = rng.randrange(3)
        if how == 0:
            return raw.replace(b"\r\n", b"\n")
        if how == 1:
            return raw.replace(b"\r\n", b"\r")
        return bytes(b for i, b in enumerate(raw) if b != 13 or i % 3)  # every third CR goes

    def header_shape(self, raw: bytes) -> bytes:
        rng = self.rng
        head, sep, body = split_head(raw)
        how = rng.randrange(5)
        if how == 0:  # no blank line between head and body
            return head + b"\r\n" + body
        if how == 1:  # a line without a colon in the middle of the head
            lines = head.split(b"\n")
            lines.insert(rng.randint(0, len(lines)), b"this is not a header line\r")
            return b"\n".join(lines) + (sep or b"\r\n\r\n") + body
        if how == 2:  # a second From, someone else's
            return (
                head
                + b"\r\nFrom: "
                + rng.choice(OTHER_FROMS).encode()
                + (sep or b"\r\n\r\n")
                + body
            )
        if how == 3:  # header lines in reverse order
            return b"\r\n".join(reversed(head.splitlines())) + (sep or b"\r\n\r\n") + body
        return b"\r\n" + raw  # a blank first line: no headers at all

    def encoding(self, raw: bytes) -> bytes:
        rng = self.rng
        head, sep, body = split_head(raw)
        head = re.sub(rb"(?im)^content-transfer-encoding:[^\r\n]*\r?\n?", b"", head)
        cte = rng.choice(
            (
                b"base64",
                b"quoted-printable",
                b"x-uuencode",
                b"8bit",
                b"binary",
                b"bogus",
                b"base64; junk",
            )
        )
        if cte == b"quoted-printable" and rng.random() < 0.5:
            body = body.replace(b" ", b"=Z", 50) + b"=\r\n=" * 10
        return (
            head.rstrip(b"\r\n")
            + b"\r\nContent-Transfer-Encoding: "
            + cte
            + (sep or b"\r\n\r\n")
            + body
        )

    def random_bytes(self, raw: bytes) -> bytes:
        rng = self.rng
        junk = rng.randbytes(rng.randint(1, 20_000))
        if rng.random() < 0.5:  # keep the From line on top
            match = _FROM_LINE.search(raw)
            if match:
                return match.group(0) + b"\r\n" + junk
        return junk


# -- the check ---------------------------------------------------------------------------------


@dataclass
class Appended:
    """A mail the server accepted: its UID, which sender its final bytes name, how it was made."""

    uid: int
    n: int
    sender: str | None  # from_sender() of the bytes appended
    mutations: list[str]
    size: int


@dataclass
class Verdict:
    rows: int = 0
    recognised: Counter[str] = field(default_factory=Counter)  # AliExpress senders: event kinds
    unrecognized: int = 0
    failed: Counter[str] = field(default_factory=Counter)  # AliExpress senders: error reasons
    duplicate: int = 0  # AliExpress sender, ok without an event: its Message-ID is another's
    other_status: Counter[str] = field(default_factory=Counter)  # other senders: status/kind
    other_failed: Counter[str] = field(default_factory=Counter)
    ignored: list[int] = field(default_factory=list)  # AliExpress sender recorded "ignored"
    violations: list[tuple[int, str]] = field(default_factory=list)

    def violation(self, uid: int, why: str) -> None:
        self.violations.append((uid, why))


def reason_class(error: str) -> str:
    """An error reason without its numbers, to count reasons by kind."""
    return re.sub(r"\d+", "#", error)[:100]


def check(db_path: Path, folder: str, appended: Iterable[Appended]) -> Verdict:
    """What the store says of each appended mail, checked against the harness's rules."""
    verdict = Verdict()
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT m.uid, m.status, m.error, m.message_id, e.kind FROM mails m"
            " LEFT JOIN events e ON e.mail_id = m.id WHERE m.folder = ?",
            (folder,),
        ).fetchall()
        with_event = {
            str(r[0])
            for r in db.execute(
                "SELECT m.message_id FROM mails m JOIN events e ON e.mail_id = m.id"
            )
        }
    by_uid: dict[int, list[tuple[str, str | None, str | None, str | None]]] = {}
    for uid, status, error, message_id, kind in rows:
        by_uid.setdefault(int(uid), []).append((status, error, message_id, kind))
    verdict.rows = len(by_uid)
    for mail in appended:
        found = by_uid.get(mail.uid)
        if not found:
            verdict.violation(mail.uid, "no row in mails")
            continue
        if len(found) > 1:
            verdict.violation(mail.uid, f"{len(found)} rows in mails")
        status, error, message_id, kind = found[0]
        if status == "failed" and not (error or "").strip():
            verdict.violation(mail.uid, "failed without a reason")
        if mail.sender is None:
            if status == "failed":
                verdict.other_failed[reason_class(error or "")] += 1
            verdict.other_status[f"{status}:{kind}" if kind else status] += 1
            continue
        _judge(verdict, mail.uid, found[0], with_event)
    return verdict


def _judge(
    verdict: Verdict,
    uid: int,
    row: tuple[str, str | None, str | None, str | None],
    with_event: set[str],
) -> None:
    """Count, or hold against the daemon, how a mail From an AliExpress sender was recorded."""
    status, error, message_id, kind = row
    if status == "failed":
        verdict.failed[reason_class(error or "")] += 1
    elif status == "ignored":
        verdict.ignored.append(uid)  # diagnosed afterwards: a promotion is ignored by design
    elif kind is None:
        if message_id and message_id in with_event:
            verdict.duplicate += 1
        else:
            verdict.violation(uid, "AliExpress sender recorded ok without an event")
    elif kind == "unrecognized":
        verdict.unrecognized += 1
    elif kind in NO_EVENT_KINDS:
        verdict.violation(uid, f"AliExpress sender stored as {kind}")
    else:
        verdict.recognised[kind] += 1


# -- the server side ---------------------------------------------------------------------------

_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")


class Refused(Exception):
    """The server answered NO (or BAD) to an APPEND; the reason is the server's text."""


def append_raw(imap: IMAPClient, folder: str, raw: bytes) -> int:
    """APPEND the bytes exactly as they are (imaplib's own append rewrites every CR and LF to
    CRLF) to `folder` (a plain ASCII name); the new UID. Raises Refused on NO or BAD, and
    imaplib's abort or OSError when the connection is lost."""
    conn = imap._imap
    conn.literal = raw
    try:
        typ, data = conn._simple_command("APPEND", folder)  # a plain ASCII name: no quoting
    except conn.error as err:  # BAD: the command as sent was refused
        raise Refused(f"BAD {err}") from err
    text = b" ".join(d for d in data if isinstance(d, bytes))
    if typ != "OK":
        raise Refused(f"{typ} {text.decode('ascii', 'replace')}")
    match = _APPENDUID.search(text)
    if match is None:
        raise Refused(f"no APPENDUID in {text!r}")
    return int(match.group(1))


def append_all(
    connect: Callable[[], IMAPClient],
    folder: str,
    generator: Generator,
    numbers: Iterable[int],
    refused: Counter[str],
) -> list[Appended]:
    """Each mail `numbers` names, appended; a mail the server refuses is counted under its
    reason and another one drawn in its place (after 5 refusals, an unmutated source mail)."""
    done: list[Appended] = []
    imap = connect()
    try:
        for n in numbers:
            attempt = 0
            while True:
                mail = generator.mail(n, attempt)
                if attempt >= 5:
                    mail = Mail(
                        n,
                        generator.set_from(generator.sources[n % len(SOURCES)], "other"),
                        "other",
                        ["none"],
                    )
                    tag = b"fzclean%d." % n
                    mail.raw = _MESSAGE_ID.sub(lambda m, tag=tag: m.group(1) + tag, mail.raw)
                try:
                    uid = append_raw(imap, folder, mail.raw)
                except Refused as err:
                    refused[reason_class(str(err))] += 1
                    attempt += 1
                    continue
                except (imaplib.IMAP4.abort, OSError) as err:
                    refused[f"connection lost: {type(err).__name__}"] += 1
                    with suppress(Exception):
                        imap.shutdown()
                    imap = connect()
                    attempt += 1
                    continue
                done.append(Appended(uid, n, from_sender(mail.raw), mail.mutations, len(mail.raw)))
                break
    finally:
        with suppress(Exception):
            imap.logout()
    return done


def diagnose(imap: IMAPClient, folder: str, uids: list[int]) -> dict[int, str]:
    """Why each mail was recorded as it was, read again from the server: the kind the parser
    gives its bytes in this process, and whether its header lines made it a candidate."""
    from aliwatch.daemon.sources.imap.session import HEADER_FIELDS  # noqa: PLC0415 - only when something is odd
    from aliwatch.daemon.sources.imap.sync import is_candidate  # noqa: PLC0415
    from aliwatch.parsers import MailParseError, recognise  # noqa: PLC0415

    found: dict[int, str] = {}
    imap.select_folder(folder, readonly=True)
    for uid in uids:
        data = imap.fetch([uid], [b"BODY.PEEK[]", HEADER_FIELDS]).get(uid, {})
        raw = next((v for k, v in data.items() if k.startswith(b"BODY[]")), b"")
        lines = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
        try:
            kind = recognise(raw).kind.value
        except MailParseError as err:
            kind = f"MailParseError: {err}"
        found[uid] = f"parser: {kind}; candidate by header lines: {is_candidate(lines or b'')}"
    imap.unselect_folder()
    return found


# -- the daemon --------------------------------------------------------------------------------

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))


@dataclass
class Run:
    """One `aliwatch run --once`: exit status, seconds, and what it said."""

    returncode: int | None  # None: still running at the bound, then killed
    seconds: float
    stdout: str
    stderr: str
    peak_rss_kib: int = 0  # 0 when it was killed

    @property
    def stuck(self) -> bool:
        return self.returncode is None

    def log_events(self, name: str) -> list[dict[str, object]]:
        found = []
        for line in self.stderr.splitlines():
            if f'"{name}"' in line:
                with suppress(ValueError):
                    found.append(json.loads(line))
        return found


def run_once(env: dict[str, str], bound: float, workdir: Path) -> Run:
    """`aliwatch run --once` with a bound on its time, and its peak RSS. Past the bound it gets
    SIGABRT, so that faulthandler prints where every thread was (in `stderr`), then SIGKILL."""
    out_path, err_path = workdir / "run.stdout", workdir / "run.stderr"
    began = time.monotonic()
    returncode: int | None = None
    peak = 0
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            [ALIWATCH, "run", "--once"], env=env | {"PYTHONFAULTHANDLER": "1"},
            stdout=out, stderr=err, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        reaped: list[tuple[int, int]] = []  # (exit status, peak RSS) once it ended

        def ended() -> bool:  # reaped here, not by Popen, for its rusage (peak RSS)
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                reaped.append((os.waitstatus_to_exitcode(status), usage.ru_maxrss))
            return bool(pid)

        if wait_until(ended, bound):
            returncode, peak = reaped[0]
            process.returncode = returncode
        else:
            process.send_signal(signal.SIGABRT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    seconds = time.monotonic() - began
    return Run(
        returncode,
        seconds,
        out_path.read_text(encoding="utf-8", errors="replace"),
        err_path.read_text(encoding="utf-8", errors="replace"),
        peak,
    )


def _traceback_summary(stderr: str) -> str:
    """The exception and the innermost frames of the last traceback in `stderr`."""
    tail = stderr[stderr.rindex("Traceback") :].splitlines()
    frames = [line.strip() for line in tail if line.strip().startswith("File ")]
    error = next((line for line in reversed(tail) if line.strip()), "")
    return f"{error[:300]} (at {' <- '.join(reversed(frames[-3:]))})"


def run_problems(run: Run, bound: float) -> list[str]:
    """What is wrong with a run: a crash, a traceback, or no end within the bound."""
    problems = []
    if run.stuck:
        where = [line for line in run.stderr.splitlines() if line.strip().startswith("File ")]
        problems.append(
            f"still running after {bound:.0f} s (killed); main thread was at: "
            + " <- ".join(line.strip() for line in where[:4])
        )
    elif run.returncode != 0:
        problems.append(f"exit status {run.returncode}")
    if "Traceback" in run.stderr:
        problems.append(f"a Traceback in stderr: {_traceback_summary(run.stderr)}")
    return problems


@dataclass
class Report:
    seed: int
    generated: int = 0
    appended: list[Appended] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    runs: list[tuple[str, Run]] = field(default_factory=list)
    run_problems: list[str] = field(default_factory=list)
    verdict: Verdict = field(default_factory=Verdict)
    promotions: int = 0  # AliExpress-sender mail recorded ignored, which the parser calls promotion
    diagnoses: dict[int, str] = field(default_factory=dict)
    crashers: dict[int, str] = field(default_factory=dict)  # UID: why `run` died on it

    @property
    def failed(self) -> bool:
        return bool(self.run_problems or self.verdict.violations)


def unrecorded(db_path: Path, folder: str, appended: Iterable[Appended]) -> list[int]:
    """The appended UIDs with no row in `mails` yet."""
    if not db_path.exists():
        return sorted(a.uid for a in appended)
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT uid FROM mails WHERE folder = ?", (folder,)).fetchall()
    seen = {int(r[0]) for r in rows}
    return sorted(a.uid for a in appended if a.uid not in seen)


def find_crashers(imap: IMAPClient, folder: str, uids: list[int], scratch: Path) -> dict[int, str]:
    """Which of `uids` make the sync raise, found in this process from the server's own answers
    by the steps the sync takes for each mail: the header-line check that picks candidates
    (daemon/sources/imap/sync.py is_candidate), recognition as the sync contains it, and recording
    into a scratch store (`scratch`, a database path) as the sync does."""
    # Only after a crash: the daemon's own steps, imported here.
    from aliwatch.daemon.sources.imap.session import HEADER_FIELDS  # noqa: PLC0415
    from aliwatch.daemon.sources.imap.sync import is_candidate  # noqa: PLC0415
    from aliwatch.daemon.sources.ingest import recognise_mail  # noqa: PLC0415
    from aliwatch.daemon.store import MailKey, Store  # noqa: PLC0415
    from aliwatch.parsers import AuthPolicy  # noqa: PLC0415

    found: dict[int, str] = {}
    now = datetime.now(UTC)
    imap.select_folder(folder, readonly=True)
    with Store.open(scratch) as store:
        for start in range(0, len(uids), 200):
            chunk = uids[start : start + 200]
            answers = imap.fetch(chunk, [HEADER_FIELDS, b"BODY.PEEK[]"])
            for uid, data in answers.items():
                lines = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
                raw = next((v for k, v in data.items() if k.startswith(b"BODY[]")), b"")
                step = "daemon/sources/imap/sync.py is_candidate"
                try:
                    if not is_candidate(lines or b""):
                        continue
                    event, error = recognise_mail(raw, AuthPolicy())
                    step = "store.record (daemon/store/mails.py)"
                    status = "failed" if event is None else "ok"
                    key = MailKey("fuzz", folder, 1, uid)
                    digest = hashlib.sha256(raw).hexdigest()
                    store.record(key, event, raw_digest=digest, status=status, error=error, now=now)
                except Exception as err:  # noqa: BLE001 - any exception here kills `run`
                    found[uid] = f"{type(err).__name__} in {step}"
    imap.unselect_folder()
    return found


def remove(imap: IMAPClient, folder: str, uids: list[int]) -> None:
    """Delete and expunge `uids` from the folder, so that the next run can get past them."""
    imap.select_folder(folder)
    imap.delete_messages(uids)
    imap.uid_expunge(uids)
    imap.unselect_folder()


def fuzz(
    server: Dovecot,
    workdir: Path,
    *,
    seed: int,
    mails: int,
    rounds: int,
    scale: Scale,
    bound: Callable[[int], float],
    env: dict[str, str],
    folder: str = "fuzz",
) -> Report:
    """Append `mails` hostile mails in `rounds` batches, `run --once` after each (bounded by
    `bound(mails in the round)` seconds), then check the store against every appended mail.

    A run that crashes is a violation; so that the rest can still be checked, the mails it died
    on (find_crashers) are counted as violations, removed from the folder, and the run repeated.
    """
    report = Report(seed)
    generator = Generator(seed, scale)
    server.recreate_folder(folder)
    db_path = Path(env["ALIWATCH_DB_PATH"])

    def connect() -> IMAPClient:
        imap = IMAPClient(
            server.host, server.imaps_port, ssl=True, ssl_context=server.ssl_context()
        )
        imap.login(server.user, server.password)
        return imap

    cuts = [mails * r // rounds for r in range(rounds + 1)]
    for number, (start, stop) in enumerate(itertools.pairwise(cuts), 1):
        batch = append_all(connect, folder, generator, range(start, stop), report.refused)
        report.appended += batch
        for attempt in range(5):
            label = f"round {number}" + (f" retry {attempt}" if attempt else "")
            run = run_once(env, bound(len(batch)), workdir)
            report.runs.append((label, run))
            report.run_problems += [f"{label}: {p}" for p in run_problems(run, bound(len(batch)))]
            if run.stuck or run.returncode == 0:
                break
            imap = connect()
            try:
                left = unrecorded(db_path, folder, report.appended)
                scratch = workdir / f"scratch-{number}-{attempt}.db"
                crashers = find_crashers(imap, folder, left, scratch)
                if crashers:
                    remove(imap, folder, sorted(crashers))
            finally:
                with suppress(Exception):
                    imap.logout()
            if not crashers:
                break
            report.crashers.update(crashers)
    report.generated = len(report.appended) + sum(report.refused.values())
    kept = [a for a in report.appended if a.uid not in report.crashers]
    report.verdict = check(db_path, folder, kept)
    for uid, why in sorted(report.crashers.items()):
        report.verdict.violation(uid, f"crashed `aliwatch run` ({why}); removed to go on")
    if report.verdict.ignored:
        imap = connect()
        try:
            report.diagnoses = diagnose(imap, folder, report.verdict.ignored)
        finally:
            with suppress(Exception):
                imap.logout()
        for uid in report.verdict.ignored:
            if report.diagnoses[uid].startswith("parser: promotion;"):
                report.promotions += 1  # by design: promotions are recorded without an event
            else:
                report.verdict.violation(
                    uid, f"AliExpress sender recorded ignored ({report.diagnoses[uid]})"
                )
    return report


def probes() -> dict[str, list[bytes]]:
    """A few small AliExpress mails that hold `run` far longer than their size would suggest
    (found by this harness), each set run on its own with a bound of its own, so that each
    pathology is named by itself: recognition takes time quadratic in the header lines
    (parsers/mime.py read_mail deletes unwanted headers one name at a time) and in the length of
    a word of the subject (parsers/fold.py _NUMBERS rescans it from every position); and every
    order number a mail names becomes an order, with an alert, that every pass evaluates again."""
    base = (ROOT / "tests" / "fixtures" / "cancel" / "cancellation_requested_de.eml").read_bytes()
    head, sep, body = split_head(base)

    def subject(text: bytes) -> bytes:
        return _SUBJECT.sub(lambda m: m.group(0) + text + b" ", head, count=1) + sep + body

    def orders(k: int) -> bytes:
        numbers = b" ".join(b"82%014d" % (k * 10**6 + i) for i in range(10_000))
        own = _MESSAGE_ID.sub(lambda m: m.group(1) + b"orders%d." % k, head)
        return own + sep + numbers + b"\r\n" + body

    return {
        "50,000 distinct header lines (0.6 MB)": [
            head + b"".join(b"\r\nX-H%d: v" % i for i in range(50_000)) + sep + body
        ],
        "a subject of 40,000 adjacent encoded words (0.6 MB)": [
            subject(b" ".join([b"=?utf-8?q?ab?="] * 40_000))
        ],
        "a subject with one 100,000-letter word (0.1 MB)": [subject(b"abcdefghij" * 10_000)],
        "3 mails naming 10,000 order numbers each (0.2 MB each)": [orders(k) for k in range(3)],
    }
