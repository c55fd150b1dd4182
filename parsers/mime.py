"""Reading raw bytes into the few things recognition needs, via mail-parser and the stdlib."""

from __future__ import annotations

import base64
import email
import html
import quopri
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import errors as email_errors
from email import policy
from email.headerregistry import AddressHeader
from email.message import Message

import mailparser
from mailparser import exceptions as mailparser_exceptions

from aliwatch.parsers.attachments import without_attachments
from aliwatch.parsers.dates import sent_at
from aliwatch.parsers.errors import MailParseError
from aliwatch.parsers.identity import IDENTITY_HEADERS

# Only this much of a body is examined: AliExpress mails are ~100 KB; a 20 MB body is hostile.
MAX_TEXT = 1_000_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TOKENS = re.compile(r"\s+|\S+")
_ENCODED_WORD = re.compile(r"=\?utf-8\?([qQbB])\?([^?\s]*)\?=", re.IGNORECASE)
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_HIDDEN = (("<script", "script"), ("<style", "style"), ("<head", "head"), ("<title", "title"))
_HIDDEN_OPEN = re.compile(r"<(script|style|head|title)\b|<!--")  # on lower-cased markup
_BREAK = re.compile(r"<(?:br|/p|/div|/tr|/li|/h[1-6]|/table|p|div|tr|li|h[1-6])\b[^>]*>", re.I)
_CELL = re.compile(r"</?t[dh]\b[^>]*>", re.I)
# A tag starts with a letter (or /letter, !): "<transaction@notice...>" in a quote is not a tag.
_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?|![^<>]*)>")
# Only what needs replacing: a lone space stays untouched (a match per space costs more).
_SPACES = re.compile(
    r"[\t\u00a0\u200b\u200c\u200d\ufeff][ \t\u00a0\u200b\u200c\u200d\ufeff]*"
    r"| [ \t\u00a0\u200b\u200c\u200d\ufeff]+"
)
_BLANK_LINES = re.compile(r"\n\s*\n+")


@dataclass(frozen=True, slots=True)
class Mail:
    """The parts of a mail recognition looks at; all text is decoded and hostile-input safe."""

    subject: str
    from_address: str | None
    sent: datetime | None
    message_id: str | None
    auth_results: tuple[str, ...]
    raw_html: str
    text: str
    from_display: str = ""
    # (lower-case name, value) of the headers that mark a mail's origin (parsers/identity.py).
    identity_headers: tuple[tuple[str, str], ...] = ()


def clean_header(value: str) -> str:
    """One line: control characters (CR/LF from encoded words too) become spaces."""
    if value.isprintable() and "  " not in value:
        return value.strip()  # the common case, without two regex passes
    return _SPACES.sub(" ", _CONTROL.sub(" ", valid_text(value))).strip()


def valid_text(text: str) -> str:
    """`text` with no lone surrogates, which no UTF-8 writer (the store, SMTP) accepts.

    The stdlib keeps undecodable 8-bit header bytes as surrogate escapes (recovered here as UTF-8
    where they are UTF-8); an encoded word in UTF-16 may decode to half a pair (becomes U+FFFD).
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


# The stdlib header parser raises these on hostile headers (AttributeError: a Group where an
# Address was expected, found by tests/parsers/test_fuzz.py).
_HEADER_ERRORS = (
    email_errors.MessageError,  # HeaderParseError; CharsetError for a charset that is no name
    ValueError,
    IndexError,
    TypeError,
    LookupError,
    AttributeError,
)


def _decode(name: str, raw: str) -> str:
    # The stdlib's policy.default keeps the space between an RFC 2047 encoded word and the
    # plain word after it (RFC 2047 section 6.2); mail-parser's decoded subject can lose it.
    unfolded = _FOLD.sub("", raw)
    if "=?" not in unfolded:
        return unfolded  # nothing encoded (RFC 2047 section 2): the header factory adds nothing
    simple = _simple_utf8_words(unfolded)
    if simple is not None:
        return simple
    try:
        return str(policy.default.header_factory(name, unfolded))
    except _HEADER_ERRORS:
        return unfolded


def _simple_utf8_words(value: str) -> str | None:
    """Decode the common case the way policy.default does, at a fraction of its cost.

    Only whole, valid UTF-8 encoded words between plain words qualify; whitespace between two
    encoded words is dropped (RFC 2047 section 6.2). Anything else returns None and goes to the
    stdlib (tests/parsers/test_headers.py holds the two to the same answers).
    """
    out: list[str] = []
    previous_encoded = False
    for token in _TOKENS.findall(value):
        if token.isspace():
            out.append(token)
            continue
        m = _ENCODED_WORD.fullmatch(token)
        if m is None:
            if "=?" in token:
                return None
            out.append(token)
            previous_encoded = False
            continue
        try:
            if m.group(1) in "bB":
                data = base64.b64decode(m.group(2), validate=True)
            else:
                data = quopri.decodestring(m.group(2).replace("_", " ").encode("ascii"))
            text = data.decode("utf-8")
        except (ValueError, UnicodeError):
            return None
        if previous_encoded and out and out[-1].isspace():
            out.pop()
        out.append(text)
        previous_encoded = True
    return "".join(out)


def _address(raw: str) -> tuple[str | None, str]:
    """The first address of a From header and its display name (RFC 5322 section 3.4)."""
    unfolded = _FOLD.sub("", raw)
    try:
        header = policy.default.header_factory("from", unfolded)
        if isinstance(header, AddressHeader):
            for addr in header.addresses:
                if "@" in addr.addr_spec and _stands_alone(addr.addr_spec, unfolded):
                    return clean_header(addr.addr_spec).lower(), clean_header(addr.display_name)
    except _HEADER_ERRORS:
        pass
    # A display name no parser can read (8-bit garbage, broken encoded words) hides the
    # angle-addr that ends a name-addr (RFC 5322 section 3.4): read that, so the mail is still
    # known by its sender (make fuzz found such mail dropped as not AliExpress).
    last = _LAST_ADDRESS.search(unfolded)
    if last is not None:
        return clean_header(last.group(1) or last.group(2)).lower(), ""
    return None, ""


# The address that ends a From header: in angle brackets, or bare after a space.
_LAST_ADDRESS = re.compile(
    r"(?:<[ \t]*([^<>@\s]+@[^<>@\s]+?)[ \t]*>|(?:^|\s)([^<>@\s\"]+@[^<>@\s\"]+))[ \t]*$"
)


def _sender(parsed: list[tuple[str, str]], raw: str) -> tuple[str | None, str]:
    """The From address and display name: mail-parser's reading (`parsed`) when it holds up,
    else the stdlib's of the `raw` header (RFC 5322 section 3.4).

    An address is never encoded (RFC 2047 section 5): one not written in the raw header as an
    address came out of a decoded display name ("=?utf-8?q?a=0D=0ABcc:_x@evil.example?=", found
    by make fuzz), and the stdlib reads the header instead.
    """
    if parsed and _stands_alone(parsed[0][1], _FOLD.sub("", raw)):
        return clean_header(parsed[0][1]).lower(), clean_header(_decode("from", parsed[0][0] or ""))
    return _address(raw)


# The stdlib's decode_header is quadratic in the encoded words of one value (it pops them off
# the front of a list): 40,000 in a subject took 5 s, in mail-parser. Real headers are a line or
# a few (RFC 5322 section 2.1.1: 998 characters a line); a longer value keeps both its ends,
# where a subject's words and a From's address are.
_HEADER_END_CHARS = 8192


def _bounded(value: str) -> str:
    if not isinstance(value, str) or len(value) <= 2 * _HEADER_END_CHARS:
        return value
    return value[:_HEADER_END_CHARS] + " " + value[-_HEADER_END_CHARS:]


def _stands_alone(address: str, raw: str) -> bool:
    """Whether `address` is written in the raw From header as an address: whole, between angle
    brackets, spaces, commas or the ends, not inside a word."""
    wanted = re.escape(address.strip().lower())
    return re.search(rf"(?:^|[<\s,]){wanted}(?:$|[>\s,])", raw.lower()) is not None


def _drop_hidden(markup: str, lowered: str) -> str:
    """Remove script/style/head/title blocks and comments in one forward pass.

    A regex with a lazy `.*?` up to the closing tag is quadratic on hostile input with many
    unclosed openers; here every search starts where the last block ended. `lowered` is
    `markup.lower()` of the same length (the caller checks).
    """
    if "<!--" not in lowered and not any(opener in lowered for opener, _ in _HIDDEN):
        return markup
    out: list[str] = []
    pos = 0
    while (m := _HIDDEN_OPEN.search(lowered, pos)) is not None:
        out.append(markup[pos : m.start()])
        closer = "-->" if m.group(1) is None else "</" + m.group(1)
        end = lowered.find(closer, m.end())
        if end < 0:
            return " ".join(out)
        gt = lowered.find(">", end)
        pos = len(markup) if gt < 0 else gt + 1
        out.append(" ")
    out.append(markup[pos:])
    return "".join(out)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML body, for matching only (never rendered)."""
    lowered = markup.lower()
    if len(lowered) != len(markup):  # lower-casing changed lengths: positions would not align
        lowered = markup.encode("ascii", "replace").decode("ascii").lower()
    markup = _drop_hidden(markup, lowered)
    markup = _BREAK.sub("\n", markup)
    markup = _CELL.sub(" ", markup)
    markup = _TAG.sub("", markup)
    text = html.unescape(markup) if "&" in markup else markup
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text)


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return None
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


_WANTED = frozenset({"subject", "from", "date", "message-id"})
# The top-level header fields mail-parser is handed: what recognition reads, and what MIME needs
# to find the parts (RFC 2045). Received and the address fields (To, Cc, Delivered-To) are
# parsed eagerly by mail-parser and never read here: dropping them halves its time per mail
# (benchmarks/bench_parse.py), and real AliExpress mail carries 5-10 Received lines.
_HANDED = _WANTED | {
    "authentication-results",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
}


def _raw_str(value: object) -> str:
    text = str(value)
    return text if text.isascii() else valid_text(text)


def _decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        return payload.decode(part.get_content_charset() or "utf-8", "replace")
    except (LookupError, ValueError):
        return payload.decode("utf-8", "replace")


def _stdlib_parts(raw: bytes) -> tuple[Message, list[str], list[str]]:
    """Fallback for mail that mail-parser rejects: the stdlib parser, text parts only."""
    message = email.message_from_bytes(raw)
    html_parts: list[str] = []
    plain_parts: list[str] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() == "text/html":
            html_parts.append(_decode_part(part))
        elif part.get_content_type() == "text/plain":
            plain_parts.append(_decode_part(part))
    return message, html_parts, plain_parts


# What mail-parser was seen raising on hostile input (tests/parsers/test_fuzz.py): its own errors,
# and stdlib errors it lets through (a NUL byte in a charset name gives ValueError).
_LIBRARY_ERRORS = (
    mailparser_exceptions.MailParserError,
    email_errors.MessageError,  # HeaderParseError on a broken base64 encoded word
    LookupError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
)


def read_mail(raw: bytes) -> Mail:
    """Parse raw bytes; raises MailParseError only when no parser can read them at all."""
    raw = without_attachments(raw)  # a large mail's attachments are never read: memory stays flat
    identity: list[tuple[str, str]] = []
    try:
        message: Message = email.message_from_bytes(raw)
        for raw_name, value in message.raw_items():
            if raw_name.lower() in IDENTITY_HEADERS:
                identity.append((raw_name.lower(), clean_header(_FOLD.sub("", _raw_str(value)))))
        # Message.__delitem__ rebuilds the whole header list for each name: deleting every
        # unwanted name in turn was quadratic in distinct names (50,000 header lines took minutes;
        # make fuzz probes it). The same list, kept in one pass, each value bounded.
        kept = [
            (name, _bounded(value))
            for name, value in message.raw_items()
            if name.lower() in _HANDED
        ]
        message._headers = kept  # type: ignore[attr-defined]
        parsed = mailparser.MailParser(message)
        html_parts = [p for p in parsed.text_html if isinstance(p, str)]
        plain_parts = [p for p in parsed.text_plain if isinstance(p, str)]
        senders = [(name, addr) for name, addr in parsed.from_ if "@" in addr]
        # mail-parser has parsed Date already (aware, UTC); anything else is read below.
        parsed_date = parsed.date if isinstance(parsed.date, datetime) else None
        if not html_parts and not plain_parts:
            # A mangled Content-Type leaves the text in "not managed" parts: still worth reading.
            plain_parts = [p for p in parsed.text_not_managed if isinstance(p, str)]
    except RecursionError as err:
        raise MailParseError("cannot read mail: MIME nesting too deep (RecursionError)") from err
    except _LIBRARY_ERRORS:
        senders, parsed_date = [], None
        try:
            message, html_parts, plain_parts = _stdlib_parts(raw)
        except (RecursionError, *_LIBRARY_ERRORS) as err:
            raise MailParseError(f"cannot read mail: {type(err).__name__}") from err
        identity = [
            (name.lower(), clean_header(_FOLD.sub("", _raw_str(value))))
            for name, value in message.raw_items()
            if name.lower() in IDENTITY_HEADERS
        ]
    first: dict[str, str] = {}
    auth: list[str] = []
    for raw_name, value in message.raw_items():
        name = raw_name.lower()
        if name == "authentication-results":
            auth.append(clean_header(_FOLD.sub("", _raw_str(value))))
        elif name in _WANTED and name not in first:
            first[name] = _raw_str(value)
    raw_html = "\n".join(html_parts)[:MAX_TEXT]
    # multipart/alternative carries the same words twice (RFC 2046 section 5.1.4): read the plain
    # one when there is one (turning HTML into text costs more), the HTML one otherwise. Links are
    # read from the HTML either way.
    plain = "\n".join(plain_parts)[:MAX_TEXT]
    text = plain if plain.strip() or not raw_html else html_to_text(raw_html)
    from_address, from_display = _sender(senders, first.get("from", ""))
    return Mail(
        subject=clean_header(_decode("subject", first.get("subject", ""))),
        from_address=from_address,
        from_display=from_display,
        identity_headers=tuple(identity),
        sent=_utc(parsed_date) or sent_at(first.get("date")),
        message_id=clean_header(first["message-id"]) if "message-id" in first else None,
        auth_results=tuple(auth),
        raw_html=raw_html.replace("&amp;", "&"),
        text=text,
    )
