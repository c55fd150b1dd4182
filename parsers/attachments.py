"""Dropping what recognition never reads from a large mail before it is parsed: attachments.

Recognition needs the headers and the text parts. A 30 MB attachment parsed whole took a
`run --once` to 477 MB of memory (the email parser and mail-parser each hold decoded copies);
cut out at the byte level first, the parsers only ever see a few hundred kilobytes. The walk
follows MIME's boundaries (RFC 2046 section 5.1.1) line by line, copying only what it keeps.
"""

from __future__ import annotations

import email
import re
from email.message import Message

# Mail below this size is parsed as it is: AliExpress notices are about 100 KB.
STRIP_ABOVE = 2 * 1024 * 1024
# A text part is kept up to this much (recognition reads the first megabyte of text anyway).
TEXT_PART_LIMIT = 4 * 1024 * 1024
_HEADER_BLOCK_LIMIT = 64 * 1024


def _kind(header_block: bytes) -> tuple[bool, bytes | None]:
    """(keep the body, the multipart boundary if any) from one part's header lines."""
    part: Message = email.message_from_bytes(header_block[:_HEADER_BLOCK_LIMIT] + b"\r\n")
    boundary = part.get_boundary() if part.get_content_maintype() == "multipart" else None
    if boundary is not None:
        return True, boundary.encode("utf-8", "surrogateescape")
    text = part.get_content_maintype() == "text" and part.get_content_disposition() != "attachment"
    return text, None


class Stripper:
    """Cuts non-text parts out of a mail fed to it in pieces (a large mail fetched in chunks).

    Memory stays at one piece plus what is kept, whatever the mail's size.
    """

    def __init__(self) -> None:
        self.out: list[bytes] = []
        self.boundaries: list[bytes] = []
        self.header: list[bytes] | None = []  # collecting a header block, else None
        self.keep = True
        self.kept_in_part = 0
        self._rest = b""  # an unfinished line from the last piece

    def feed(self, piece: bytes) -> None:
        """Take the next piece of the mail."""
        data = _lines_end_in_lf(self._rest + piece if self._rest else piece)
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            self._line(data, start, end + 1)
            start = end + 1
        self._rest = data[start:]
        if len(self._rest) > TEXT_PART_LIMIT:  # a line without end: keep its start only
            self._line(self._rest, 0, len(self._rest))
            self._rest = b""

    def finish(self) -> bytes:
        """The mail without the bodies of its non-text parts."""
        if self._rest:
            self._line(self._rest, 0, len(self._rest))
            self._rest = b""
        return b"".join(self.out)

    def _line(self, data: bytes, start: int, end: int) -> None:
        if self.header is not None:
            line = data[start:end]
            self.header.append(line)
            if line.strip(b"\r\n") == b"" or sum(map(len, self.header)) > _HEADER_BLOCK_LIMIT:
                block = b"".join(self.header)
                self.out.append(block)
                self.keep, boundary = _kind(block)
                if boundary is not None:
                    self.boundaries.append(boundary)
                self.header, self.kept_in_part = None, 0
            return
        if data.startswith(b"--", start) and self._delimiter(data, start, end):
            return
        if self.keep and self.kept_in_part < TEXT_PART_LIMIT:
            end = min(end, start + TEXT_PART_LIMIT - self.kept_in_part)  # a huge line: its start
            self.out.append(data[start:end])
            self.kept_in_part += end - start

    def _delimiter(self, data: bytes, start: int, end: int) -> bool:
        """Handle a boundary line (of this multipart or one it is nested in); True if it was."""
        text = data[start + 2 : end].rstrip(b" \t\r\n")
        for depth in range(len(self.boundaries) - 1, -1, -1):
            boundary = self.boundaries[depth]
            if text == boundary or text == boundary + b"--":
                self.out.append(data[start:end])
                if text == boundary:  # a new part of this multipart: its headers come next
                    del self.boundaries[depth + 1 :]
                    self.header = []
                else:  # the end of this multipart: its epilogue belongs to the parent
                    del self.boundaries[depth:]
                    self.keep, self.kept_in_part = True, 0
                return True
        return False


# A CR not followed by LF ends a line for the email package too (email.feedparser's NLCRE): a mail
# whose MIME lines end in bare CRs hid its parts from a walk by LF, and its 12 MB attachment was
# parsed whole, to 190 MB of memory (make fuzz).
_BARE_CR = re.compile(rb"\r(?!\n)")


def _lines_end_in_lf(data: bytes) -> bytes:
    """`data` with each bare CR made an LF; a CR at its very end waits for the next piece."""
    body = data[:-1] if data.endswith(b"\r") else data
    if _BARE_CR.search(body) is None:
        return data
    return _BARE_CR.sub(b"\n", body) + data[len(body) :]


def without_attachments(raw: bytes) -> bytes:
    """The mail with every non-text part's body left out (the headers of all parts kept).

    Mail up to STRIP_ABOVE is returned as it is.
    """
    if len(raw) <= STRIP_ABOVE:
        return raw
    stripper = Stripper()
    stripper.feed(raw)
    return stripper.finish()
