"""Exceptions raised by the parsers package."""


class MailParseError(Exception):
    """Raised by `parsers.recognise` when the bytes cannot be read as a mail at all.

    Hostile or broken MIME that the mail library still reads is *not* an error: it becomes an
    event (usually `unrecognized` or `not_aliexpress`). This is raised only when the library
    itself gives up (for example on multipart nesting deep enough to exhaust the stack).
    """
