"""The env file, read exactly as systemd's EnvironmentFile= reads it (systemd.exec(5)).

The grammar is systemd's own state machine, src/basic/env-file.c parse_env_file_internal
(systemd 254 and later), then the name check EnvironmentFile= applies (strv_env_clean: a
name is letters, digits and `_`, not starting with a digit; other lines are dropped):

- `#` or `;` starts a comment only as the first character of a line (after blanks); a `#`
  later on is part of the value, so `X=1  # note` sets X to `1  # note`.
- blanks around the name, before the value and at the end of an unquoted value are dropped.
- `'...'` keeps everything inside as written; `"..."` keeps everything but `\\"`, `\\\\`,
  `\\$` and `` \\` ``, which lose their backslash (any other backslash stays), and a
  backslash before a line end, which joins the lines. Both may span lines, and quoted and
  unquoted parts run together: `X="a" b` is `ab`.
- outside quotes a backslash keeps the next character as it is and drops itself; before a
  line end it joins the next line.
- `export X=1` is not special: its name `export X` is not a name, so systemd drops the line.
- no `$VAR` expansion; a name set twice keeps its last value; a file that is not UTF-8 is
  refused as a whole.

Readers of the dotenv dialect (python-dotenv, which aliwatch used before, docker's --env-file,
shells) differ: `differences` lists the lines where they would read something else.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, auto
from pathlib import Path

from aliwatch.daemon.config.errors import ConfigError

# systemd's character classes (src/basic/string-util.h, src/basic/escape.h).
_WHITESPACE = " \t\n\r"
_NEWLINE = "\n\r"
_COMMENTS = "#;"
_SHELL_NEED_ESCAPE = '"\\`$'
# env_name_is_valid (src/basic/env-util.c): what strv_env_clean keeps.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class EnvFileError(ConfigError):
    """The env file cannot be read, or systemd would refuse it."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """One `NAME=value` the file holds, as systemd reads it, and the line it starts on."""

    name: str
    value: str
    line: int

    @property
    def valid(self) -> bool:
        """Whether systemd sets it: a name of letters, digits and `_` (else the line is dropped)."""
        return _NAME.fullmatch(self.name) is not None


@dataclass(frozen=True, slots=True)
class Difference:
    """A line that systemd and a dotenv reader read differently (None: that one sets nothing)."""

    name: str
    line: int
    systemd: str | None
    dotenv: str | None

    @property
    def dropped(self) -> bool:
        """Whether systemd drops the line for its name (`export X=1`): loading reports those."""
        return self.systemd is None and _NAME.fullmatch(self.name) is None

    def explain(self) -> str:
        """One sentence: what each reads and how to write the line so that both agree."""
        if self.systemd is None and _NAME.fullmatch(self.name) is None:
            return (
                f"line {self.line}: systemd ignores this line ({self.name!r} is not a variable "
                f"name; `export` is not special to EnvironmentFile=): write {_bare(self.name)}=..."
            )
        if self.systemd is None:
            return (
                f"line {self.line}: {self.name}: dotenv readers set it, systemd does not (a "
                "backslash at the end of the line before continues that line into this one)"
            )
        if _secret(self.name):
            read = "systemd and dotenv readers read different values (not shown: a secret)"
        elif self.dotenv is None:
            read = f"systemd reads {self.systemd!r}, dotenv readers nothing"
        else:
            read = f"systemd reads {self.systemd!r}, dotenv readers {self.dotenv!r}"
        return (
            f"line {self.line}: {self.name}: {read}: a comment goes on a line of its own (# "
            "starts one only at the start of a line); quote a value with blanks, quotes, # or \\"
        )


def _secret(name: str) -> bool:
    """Whether the variable holds a secret, whose value no message may show."""
    upper = name.upper()
    return upper.endswith("PASSWORD") or "TOKEN" in upper or upper.endswith("APPRISE_URLS")


def _bare(name: str) -> str:
    """The variable a dropped line meant: `export X` -> X."""
    return name.rsplit(maxsplit=1)[-1] if name.strip() else name


class _State(Enum):
    PRE_KEY = auto()
    KEY = auto()
    PRE_VALUE = auto()
    VALUE = auto()
    VALUE_ESCAPE = auto()
    SINGLE_QUOTE_VALUE = auto()
    DOUBLE_QUOTE_VALUE = auto()
    DOUBLE_QUOTE_VALUE_ESCAPE = auto()
    COMMENT = auto()
    COMMENT_ESCAPE = auto()


def _trailing_blank(c: str, chars: list[str], blank: int | None) -> int | None:
    """Where the blanks that end `chars` begin once `c` is appended (None: it ends in no blank);
    systemd drops them from a key or an unquoted value (env-file.c, last_key_whitespace)."""
    if c not in _WHITESPACE:
        return None
    return len(chars) if blank is None else blank


_PUSH_AT_END = frozenset(
    {
        _State.PRE_VALUE,
        _State.VALUE,
        _State.VALUE_ESCAPE,
        _State.SINGLE_QUOTE_VALUE,
        _State.DOUBLE_QUOTE_VALUE,
        _State.DOUBLE_QUOTE_VALUE_ESCAPE,
    }
)


def parse(text: str) -> list[Assignment]:  # noqa: PLR0912, PLR0915 - one state machine, as systemd's
    """Every assignment in `text`, in order, as systemd's parse_env_file_internal reads them
    (names systemd then drops included: see Assignment.valid)."""
    state = _State.PRE_KEY
    key: list[str] = []
    value: list[str] = []
    # Where trailing blanks of the key / unquoted value begin (None: no trailing blanks).
    key_blank: int | None = None
    value_blank: int | None = None
    line = 1
    start = 1
    found: list[Assignment] = []

    def push(chomp: bool) -> None:
        name = "".join(key[:key_blank] if key_blank is not None else key)
        text = "".join(value[:value_blank] if chomp and value_blank is not None else value)
        found.append(Assignment(name, text, start))

    for c in text:
        if state is _State.PRE_KEY:
            if c in _COMMENTS:
                state = _State.COMMENT
            elif c not in _WHITESPACE:
                state, key, key_blank, start = _State.KEY, [c], None, line
        elif state is _State.KEY:
            if c in _NEWLINE:
                state = _State.PRE_KEY  # a line without `=`: dropped
            elif c == "=":
                state, value, value_blank = _State.PRE_VALUE, [], None
            else:
                key_blank = _trailing_blank(c, key, key_blank)
                key.append(c)
        elif state is _State.PRE_VALUE:
            if c in _NEWLINE:
                state = _State.PRE_KEY
                push(chomp=False)
            elif c == "'":
                state = _State.SINGLE_QUOTE_VALUE
            elif c == '"':
                state = _State.DOUBLE_QUOTE_VALUE
            elif c == "\\":
                state = _State.VALUE_ESCAPE
            elif c not in _WHITESPACE:
                state = _State.VALUE
                value.append(c)
        elif state is _State.VALUE:
            if c in _NEWLINE:
                state = _State.PRE_KEY
                push(chomp=True)
            elif c == "\\":
                state, value_blank = _State.VALUE_ESCAPE, None
            else:
                value_blank = _trailing_blank(c, value, value_blank)
                value.append(c)
        elif state is _State.VALUE_ESCAPE:
            state = _State.VALUE
            if c not in _NEWLINE:  # an escaped line end joins the lines
                value.append(c)
        elif state is _State.SINGLE_QUOTE_VALUE:
            if c == "'":
                state = _State.PRE_VALUE
            else:
                value.append(c)
        elif state is _State.DOUBLE_QUOTE_VALUE:
            if c == '"':
                state = _State.PRE_VALUE
            elif c == "\\":
                state = _State.DOUBLE_QUOTE_VALUE_ESCAPE
            else:
                value.append(c)
        elif state is _State.DOUBLE_QUOTE_VALUE_ESCAPE:
            state = _State.DOUBLE_QUOTE_VALUE
            if c in _SHELL_NEED_ESCAPE:
                value.append(c)
            elif c != "\n":  # like the shell, other backslashes stay
                value += ["\\", c]
        elif state is _State.COMMENT:
            if c == "\\":
                state = _State.COMMENT_ESCAPE
            elif c in _NEWLINE:
                state = _State.PRE_KEY
        elif state is _State.COMMENT_ESCAPE:
            # Since systemd 254 a comment never continues onto the next line.
            state = _State.PRE_KEY if c in _NEWLINE else _State.COMMENT
        if c == "\n":
            line += 1
    if state in _PUSH_AT_END:
        push(chomp=state is _State.VALUE)
    return found


def values(assignments: Iterable[Assignment]) -> dict[str, str]:
    """The variables systemd sets from these assignments: valid names only, the last one wins."""
    return {a.name: a.value for a in assignments if a.valid}


def read_text(path: Path) -> str:
    """The file's text; EnvFileError when it cannot be read or is not UTF-8 (systemd refuses
    such a file, and the unit does not start)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise EnvFileError(f"cannot read the env file {path}: {err.strerror}") from err
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        # Not chained: the decode error quotes the file's bytes, which may be a password.
        raise EnvFileError(
            f"the env file {path} is not UTF-8 (line {line}); systemd refuses it: save it as UTF-8"
        ) from None


def read(path: Path) -> dict[str, str]:
    """The variables systemd's EnvironmentFile= would set from the file at `path`."""
    return values(parse(read_text(path)))


def differences(text: str) -> list[Difference]:
    """The lines a dotenv reader (python-dotenv, as aliwatch read the file before) reads
    differently from systemd: another value, or a variable only one of them sets."""
    from dotenv import dotenv_values  # noqa: PLC0415 - only `check` compares the dialects
    from dotenv.parser import parse_stream  # noqa: PLC0415

    systemd = parse(text)
    ours = values(systemd)
    theirs = dotenv_values(stream=io.StringIO(text), interpolate=True)
    their_lines = {b.key: b.original.line for b in parse_stream(io.StringIO(text)) if b.key}
    found: list[Difference] = []
    reported: set[str] = set()
    for assignment in reversed(systemd):  # the last assignment of a name is the one that counts
        name = assignment.name
        if name in reported:
            continue
        reported.add(name)
        if not assignment.valid:
            bare = _bare(name)
            if theirs.get(bare) is not None and bare not in ours:
                found.append(Difference(name, assignment.line, None, theirs[bare]))
            continue
        if name not in theirs or theirs[name] != assignment.value:
            found.append(Difference(name, assignment.line, assignment.value, theirs.get(name)))
    meant = {_bare(a.name) for a in systemd if not a.valid}
    for name, value in theirs.items():
        if value is not None and name not in ours and name not in meant:
            found.append(Difference(name, their_lines.get(name, 0), None, value))
    return sorted(found, key=lambda d: d.line)
