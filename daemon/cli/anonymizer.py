"""Anonymising a mail for a fixture: personal data out, structure and meaning kept.

Kept: the MIME structure, each part's charset and transfer encoding, the HTML, dates, amounts,
AliExpress's own addresses and every word that says what happened. Replaced, consistently (a
keyed hash picks each fake, so the same real value gets the same fake in every mail of a user):
names, postal address lines, e-mail addresses, phone numbers, order and parcel numbers, and
personal tokens in links and image URLs. Headers a fixture does not need (Received, delivery
and tracking headers) are dropped; attachments other than text are emptied. Pure: bytes and a
key in, bytes and counts out. The counts name categories, never the values.
"""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import quopri
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.errors import MessageError
from email.header import Header, decode_header, make_header
from email.message import Message
from email.utils import getaddresses

from aliwatch.parsers import recognise
from aliwatch.parsers.identity import address_spans, addresses_in
from aliwatch.parsers.mime import html_to_text
from aliwatch.parsers.senders import is_aliexpress_domain, undo_relay

# Headers a fixture keeps (RFC 5322 section 3.6 and the ones recognition reads); the rest go.
KEPT_HEADERS = frozenset(
    {
        "from", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type",
        "content-transfer-encoding", "content-disposition", "return-path", "reply-to", "sender",
        "authentication-results", "dkim-signature", "x-simplelogin-original-from",
        "x-anonaddy-original-sender", "x-original-from",
    }
)  # fmt: skip

# Salutations that name nobody ("Dear customer,").
_NOBODY = frozenset(
    {"customer", "kunde", "kundin", "cliente", "client", "klient", "klientko", "покупатель",
     "buyer", "käufer", "käuferin", "comprador", "compradora", "acheteur", "friend", "there",
     "all", "sir", "madam"}
)  # fmt: skip
_FIRST_NAMES = ("Alex", "Kim", "Robin", "Sam", "Jule", "Noa", "Toni", "Mika", "Luca", "Charlie")
_LAST_NAMES = ("Beispiel", "Muster", "Probe", "Sample", "Example", "Testfall", "Modelo", "Wzor")
_STREETS = ("Beispielweg", "Musterallee", "Probestraße", "Example Road", "Sample Lane")
_CITIES = ("Beispielstadt", "Musterhausen", "Exampletown", "Sampleville")

# Greetings that name the buyer, in the supported languages: "Hallo Max Mustermann,".
_GREETING = re.compile(
    r"^[ \t]*(?:hi|hello|dear|hallo|liebe[r]?|guten tag|hola|olá|ola|oi|cześć|dzień dobry"
    r"|bonjour|здравствуйте|привет)[ ,]+(?P<name>[^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’.-]*){0,3})"
    r"[ \t]*[,!:]",
    re.IGNORECASE | re.MULTILINE | re.UNICODE,
)
_PHONE = re.compile(
    r"(?:\(\+\d{1,3}\)|\+\d{1,3})[ \t.\-/]*\(?\d[\d \t().\-/]{5,}\d"
    r"|(?:tel|phone|telefon|teléfono|telefone|téléphone|телефон)\.?:?[ \t]*"
    r"\+?\d[\d \t().\-/]{5,}\d",
    re.IGNORECASE | re.UNICODE,
)
# The buyer's own address follows these labels (real: "Versand nach").
_ADDRESS_LABEL = re.compile(
    r"^[ \t]*(?:versand nach|lieferadresse|versandadresse|ship(?:ping)? to|shipping address"
    r"|delivery address|deliver to|enviar a|dirección de envío|endereço de entrega|enviar para"
    r"|adres dostawy|wysyłka do|adresse de livraison|livrer à|адрес доставки)[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.UNICODE,
)
_STREET = re.compile(
    r"^[ \t]*\S.{0,50}?(?:straße|strasse|str\.|weg|gasse|allee|platz|street|st\.|road|rd\."
    r"|avenue|ave\.|lane|calle|avenida|rua|ulica|ul\.|rue|улица|ул\.)[ \t,]*\d+[a-z]?\b.*$",
    re.IGNORECASE | re.UNICODE | re.MULTILINE,
)
_ORDER = re.compile(r"(?<!\d)\d{16}(?!\d)")
_RUNNING_ORDER = re.compile(r"(?<!\d)[1-9]\d?\d{16}(?!\d)")
# Tracking numbers are capitals and digits (LP00691254378012, JY26CAB2C000662791, RB482915732CN);
# mixed-case tokens are link or image names, handled with the links.
_PARCEL = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{10,34}(?![A-Za-z0-9])"
)
_URL_COMMA = re.compile(r"%2[cC]")
_LONG_NUMBER = re.compile(r"(?<!\d)\d{10,34}(?!\d)")
_URL = re.compile(r"https?://[^\s\"'<>()]+", re.IGNORECASE)
_QUERY_VALUE = re.compile(r"([?&;](?:amp;)?[\w.-]+=)([^&#\s\"'<>]+)")
_PATH_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_-]{16,}(?=[/?#.]|$)")
_IP = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_DKIM_VALUE = re.compile(r"\b(b|bh)=([A-Za-z0-9+/=\s]+?)(?=;|$)")
_AUTHSERV = re.compile(r"^\s*([^\s;]+)")
_KEPT_AUTHSERV = ("apple.com", "icloud.com", "me.com")
_MESSAGE_ID = re.compile(r"<([^@>]+)@([^>]+)>")
# Query parameters whose values are not personal: page structure, languages, campaign names.
_STRUCTURAL = frozenset(
    {"spm", "_login", "_addshare", "lang", "locale", "businesscode", "disablenav", "pha_manifest"}
)


@dataclass
class Anonymized:
    """The anonymised mail and how many distinct values of each category were replaced."""

    data: bytes
    replaced: Counter[str] = field(default_factory=Counter)
    dropped_headers: Counter[str] = field(default_factory=Counter)


def _decoded_header(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (MessageError, ValueError, LookupError, UnicodeError):
        return value


def _part_text(part: Message) -> str | None:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return None
    try:
        return payload.decode(part.get_content_charset() or "utf-8", "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def _leaves(message: Message) -> Iterator[Message]:
    for part in message.walk():
        if not part.is_multipart():
            yield part


class Anonymizer:
    """Replaces personal data by fakes derived from `key` (keep the key to keep them stable)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the anonymisation key must be at least 16 bytes")
        self._key = key
        self._map: dict[str, tuple[str, str]] = {}  # original -> (category, fake)
        self._used: set[str] = set()  # originals replaced in the mail being rewritten

    # -- fakes -------------------------------------------------------------------------------

    def _digest(self, category: str, original: str) -> bytes:
        return hmac.new(self._key, f"{category}\0{original}".encode(), hashlib.sha256).digest()

    def _digits(self, category: str, original: str, keep: int = 0) -> str:
        stream = self._digest(category, original) * 4
        fake = original[:keep] + "".join(str(b % 10) for b in stream[: len(original) - keep])
        return fake if fake != original else self._digits(category, original + "'", keep)

    def _alnum_like(self, category: str, original: str, keep: int = 2) -> str:
        """Same length and shape: letters stay letters (same case), digits stay digits."""
        stream = self._digest(category, original) * 8
        out = list(original[:keep])
        for char, byte in zip(original[keep:], stream, strict=False):
            if char.isdigit():
                out.append(str(byte % 10))
            elif char.isupper():
                out.append(chr(ord("A") + byte % 26))
            elif char.islower():
                out.append(chr(ord("a") + byte % 26))
            else:
                out.append(char)
        fake = "".join(out)
        return fake if fake != original else self._alnum_like(category, original + "'", keep)

    def _pick(self, category: str, original: str, choices: tuple[str, ...]) -> str:
        options = [c for c in choices if c.lower() != original.lower()]
        return options[self._digest(category, original)[0] % len(options)]

    def _add(self, category: str, original: str, fake: str) -> None:
        original = original.strip()
        if len(original) >= 2 and original not in self._map and original != fake:
            self._map[original] = (category, fake)

    # -- learning what is personal -----------------------------------------------------------

    def _learn_name(self, name: str) -> None:
        name = " ".join(name.replace('"', " ").split())
        words = name.split()
        if not words or "@" in name or len(words) > 4 or name.lower() in _NOBODY:
            return
        fakes = [
            self._pick("first name", words[0], _FIRST_NAMES),
            *(self._pick("last name", w, _LAST_NAMES) for w in words[1:]),
        ]
        self._add("names", name, " ".join(fakes))
        for word, fake in zip(words, fakes, strict=True):
            if len(word) >= 3:
                self._add("names", word, fake)

    def _learn_address(self, address: str) -> None:
        address = address.strip("<>").lower()
        local, _, domain = address.rpartition("@")
        if not local or is_aliexpress_domain(domain):
            return
        undone = undo_relay(address)
        if undone is not None:
            # A relay address encoding AliExpress keeps its shape; its random blocks are the
            # user's own and get invented ones.
            original_domain = undone[0].rpartition("@")[2].replace(".", "_")
            head, sep, tail = local.partition(original_domain)
            if sep:
                fake_tail = self._alnum_like("relay ids", tail, keep=0)
                self._add("e-mail addresses", address, f"{head}{sep}{fake_tail}@{domain}")
                return
        digest = self._digest("e-mail", address).hex()[:8]
        self._add("e-mail addresses", address, f"buyer-{digest}@example.org")

    def _learn_headers(self, message: Message) -> None:
        """Names and addresses of the people a mail is from or to (never AliExpress's own)."""
        for name in ("to", "cc", "from", "reply-to", "sender", "return-path", "delivered-to",
                     "x-original-to"):  # fmt: skip
            for value in message.get_all(name) or []:
                for display, address in getaddresses([_decoded_header(str(value))]):
                    if not address:
                        continue
                    aliexpress = is_aliexpress_domain(address.rpartition("@")[2]) or (
                        undo_relay(address.lower()) is not None
                    )
                    if not aliexpress:
                        self._learn_name(display)
                    self._learn_address(address)

    def _learn_text(self, text: str) -> None:
        text = _URL_COMMA.sub(",", text)  # "o_ids=1%2C2": two numbers, not "2C2"
        for m in _GREETING.finditer(text):
            self._learn_name(m.group("name"))
        for address in addresses_in(text):
            self._learn_address(address)
        for m in _PHONE.finditer(text):
            phone = m.group(0)
            self._add("phone numbers", phone, self._alnum_like("phone", phone, keep=0))
        for m in _RUNNING_ORDER.finditer(text):
            running = m.group(0)
            prefix = running[:-16]
            self._add("order numbers", running, prefix + self._order(running[-16:]))
        for m in _ORDER.finditer(text):
            self._add("order numbers", m.group(0), self._order(m.group(0)))
        for m in _PARCEL.finditer(text):
            self._add("parcel numbers", m.group(0), self._alnum_like("parcel", m.group(0)))
        for m in _LONG_NUMBER.finditer(text):
            self._add("parcel numbers", m.group(0), self._digits("number", m.group(0), keep=2))
        self._learn_address_lines(text)

    def _order(self, number: str) -> str:
        return self._digits("order", number, keep=2)

    def _learn_address_lines(self, text: str) -> None:
        lines = [line.strip() for line in text.splitlines()]
        for index, line in enumerate(lines):
            if not _ADDRESS_LABEL.match(line):
                continue
            for following in lines[index + 1 : index + 4]:
                if not following or len(following) > 60 or following.endswith((".", "!", "?")):
                    break
                if _PHONE.search(following) or any(
                    name in following for name, (cat, _) in self._map.items() if cat == "names"
                ):
                    continue  # the name and phone line: replaced word by word
                self._add("postal addresses", following, self._fake_address(following))
        for m in _STREET.finditer(text):
            line = m.group(0).strip()
            if len(line) <= 80:
                self._add("postal addresses", line, self._fake_address(line))

    def _fake_address(self, line: str) -> str:
        digest = self._digest("address", line)
        street = _STREETS[digest[0] % len(_STREETS)]
        city = _CITIES[digest[1] % len(_CITIES)]
        return (
            f"{street} {1 + digest[2] % 99}, {10000 + int.from_bytes(digest[3:5]) % 89999} {city}"
        )

    def _learn_links(self, text: str) -> None:
        for url in _URL.findall(text):
            for name, value in _QUERY_VALUE.findall(url):
                key = name.strip("?&;=").removeprefix("amp;").lower()
                if key in _STRUCTURAL or value in self._map:
                    continue
                for piece in re.split(r"%2[cC]|,", value):
                    if len(piece) >= 8 and any(c.isdigit() for c in piece):
                        self._add("link tokens", piece, self._alnum_like("link", piece, keep=0))
            for token in _PATH_TOKEN.findall(url.split("?")[0]):
                if any(c.isdigit() for c in token):
                    self._add("link tokens", token, self._alnum_like("link", token, keep=0))

    # -- applying ----------------------------------------------------------------------------

    def _pattern(self) -> re.Pattern[str] | None:
        if not self._map:
            return None
        parts = []
        for original in sorted(self._map, key=len, reverse=True):
            escaped = re.escape(original)
            if original.isdigit():
                parts.append(rf"(?<!\d){escaped}(?!\d)")
            elif original.isalnum():
                parts.append(rf"(?<![^\W_]){escaped}(?![^\W_])")
            else:
                parts.append(escaped)
        return re.compile("|".join(parts), re.UNICODE)

    def _replace(self, text: str, pattern: re.Pattern[str] | None) -> str:
        if pattern is None:
            return text
        addresses = {k.lower(): k for k in self._map if "@" in k}

        def swap(found: str) -> str:
            original = found if found in self._map else addresses.get(found.lower())
            if original is None:
                return found
            self._used.add(original)
            return self._map[original][1]

        # E-mail addresses in any case ("Max@Example.org") first, then everything else.
        pieces, last = [], 0
        for start, _, end in address_spans(text):
            pieces += [text[last:start], swap(text[start:end])]
            last = end
        text = "".join([*pieces, text[last:]])
        return pattern.sub(lambda m: swap(m.group(0)), text)

    def anonymize(self, raw: bytes) -> Anonymized:
        """The anonymised copy of one mail. Raises MailParseError when it cannot be read."""
        event = recognise(raw)
        message = email.message_from_bytes(raw)
        texts: list[str] = []
        self._learn_headers(message)
        for order in event.order_ids:
            self._add("order numbers", order, self._order(order))
        if event.parcel_id:
            self._add(
                "parcel numbers", event.parcel_id, self._alnum_like("parcel", event.parcel_id)
            )
        subject = _decoded_header(str(message.get("Subject", "")))
        texts.append(subject)
        for part in _leaves(message):
            if part.get_content_maintype() == "text" and (text := _part_text(part)) is not None:
                texts.append(text)
                if part.get_content_subtype() == "html":
                    texts.append(html_to_text(text))
        for text in texts:
            self._learn_text(text)
        for text in texts:
            self._learn_links(text)
        pattern = self._pattern()
        result = Anonymized(b"")
        self._rewrite_headers(message, pattern, result)
        for part in _leaves(message):
            self._rewrite_part(part, pattern, result)
        result.replaced.update(self._map[original][0] for original in self._used)
        self._used.clear()
        result.data = message.as_bytes()
        return result

    def _rewrite_headers(
        self, message: Message, pattern: re.Pattern[str] | None, result: Anonymized
    ) -> None:
        kept: list[tuple[str, str]] = []
        for name, value in message.items():
            lowered = name.lower()
            if lowered not in KEPT_HEADERS:
                result.dropped_headers[name] += 1
                continue
            text = (
                _decoded_header(str(value))
                if lowered in ("subject", "from", "to", "cc")
                else str(value)
            )
            text = " ".join(text.split()) if lowered != "dkim-signature" else str(value)
            if lowered == "message-id":
                text = _MESSAGE_ID.sub(
                    lambda m: (
                        f"<{self._alnum_like('message-id', m.group(1), keep=0)}@{m.group(2)}>"
                    ),
                    text,
                )
            elif lowered == "dkim-signature":
                text = _DKIM_VALUE.sub(
                    lambda m: (
                        f"{m.group(1)}={self._alnum_like('dkim', m.group(2).strip(), keep=0)}"
                    ),
                    text,
                )
            elif lowered == "authentication-results":
                text = self._authentication_results(text)
            text = self._replace(text, pattern)
            if lowered in ("subject", "from", "to", "cc") and not text.isascii():
                text = Header(text, "utf-8").encode()
            kept.append((name, text))
        for name in set(message.keys()):
            del message[name]
        for name, text in kept:
            message[name] = text

    def _authentication_results(self, text: str) -> str:
        # The authserv-id names the user's own mail server: replaced, unless it is AliExpress's
        # or Apple's relay (whose verdict parsers/authenticity.py reads by that id). The IPs and
        # signature fragments are the user's too.
        def server(m: re.Match[str]) -> str:
            name = m.group(1).lower()
            if is_aliexpress_domain(name) or any(
                name == d or name.endswith("." + d) for d in _KEPT_AUTHSERV
            ):
                return m.group(0)
            return m.group(0).replace(m.group(1), "mx.example.net")

        text = _AUTHSERV.sub(server, text, count=1)
        text = _IP.sub("192.0.2.1", text)
        return re.sub(
            r"\bheader\.b=([A-Za-z0-9+/]+)",
            lambda m: f"header.b={self._alnum_like('ar', m.group(1), keep=0)}",
            text,
        )

    def _rewrite_part(
        self, part: Message, pattern: re.Pattern[str] | None, result: Anonymized
    ) -> None:
        encoding = (part.get("Content-Transfer-Encoding") or "7bit").strip().lower()
        if part.get_content_maintype() != "text":
            result.replaced["attachments emptied"] += 1
            part.set_payload("")
            return
        text = _part_text(part)
        if text is None:
            return
        charset = part.get_content_charset() or "utf-8"
        try:
            data = self._replace(text, pattern).encode(charset)
        except (LookupError, UnicodeEncodeError):
            data = self._replace(text, pattern).encode("utf-8")
            part.set_param("charset", "utf-8")
        if encoding == "base64":
            payload = base64.encodebytes(data).decode("ascii")
        elif encoding == "quoted-printable":
            payload = quopri.encodestring(data).decode("ascii")
        else:
            payload = data.decode("ascii", "surrogateescape")
        part.set_payload(payload)
