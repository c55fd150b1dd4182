"""Everything with side effects: settings, the CLI, mail sources, the store, channels."""

import sys


def _import_structlog_without_pretty_tracebacks() -> None:
    """Import structlog with rich and better-exceptions hidden from it, then unhidden.

    structlog imports both when they are installed, only to offer their tracebacks
    (structlog/dev.py, structlog/tracebacks.py). aliwatch never uses them: service/logs.py asks
    for plain tracebacks, since theirs print local variables, which can hold a password or a
    mail. rich came into the environment with a development tool (import-linter), and importing
    it cost about 0.1 s and 4 MiB of every start (`python -X importtime`). A None entry in
    sys.modules makes an import raise ImportError (the import system's documented behaviour,
    https://docs.python.org/3/reference/import.html#the-module-cache); the entries are removed
    again, so anything else in the process can still import either library.
    """
    hidden = [name for name in ("rich", "better_exceptions") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # the documented "not importable" mark
    try:
        import structlog  # noqa: F401, PLC0415 - imported here, once, for the hiding above
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


_import_structlog_without_pretty_tracebacks()
