"""Folding text to its words for matching: case, accents, umlaut spellings and punctuation go.

Recognition matches status words, not the way a template punctuates them: real mails of one status
come as "Bestellung N: wurde versandt" and as "Bestellung N wurde versandt"
(../shared/docs/aliexpress-mail.md, "Subject shapes"). Subjects, body lines and row patterns are
folded the same way, so "Bestätigung", "BESTAETIGUNG" and "bestätigung!" all read "bestatigung".
Numbers and identifiers become "#": which number a mail names is read separately.
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not split into a base letter and a mark.
_SPECIAL = {"ß": "ss", "ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i", "ё": "е"}


def _without_marks(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", _SPECIAL.get(char, char))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Every Latin, Greek and Cyrillic letter with its marks dropped, as one table: str.translate
# runs it at C speed, where normalising each mail's text was a sixth of `aliwatch parse`
# (benchmarks/bench_parse.py). Letters outside these blocks are kept as they are.
_MARKS = str.maketrans(
    {
        chr(code): _without_marks(chr(code))
        for code in (*range(0x80, 0x250), *range(0x370, 0x530), *range(0x1E00, 0x1F00))
        if _without_marks(chr(code)) != chr(code)
    }
)
# German writes ä/ö/ü as ae/oe/ue where umlauts are unavailable; after marks are dropped, both
# spellings must meet. Applied to both sides of every comparison, so "due" and "du" meeting too
# costs nothing.
_DIGRAPHS = re.compile(r"(?<=[aou])e+")
# A word holding a digit is a number or an identifier (order, parcel, amount, date part). Tried
# at word starts only: from every position, a long word without a digit cost time quadratic in
# its length (a 100,000-letter subject word took minutes; make fuzz probes it).
_NUMBERS = re.compile(r"(?<![^\W_])[^\W_]*\d[^\W_]*", re.UNICODE)
_WORDS = re.compile(r"[^\W_]+|#", re.UNICODE)
NUMBER = "#"


def _strip_marks(text: str) -> str:
    return text if text.isascii() else text.translate(_MARKS)


def fold_word(word: str) -> str:
    """One word folded: lower case, no accents, umlaut digraphs joined."""
    return _DIGRAPHS.sub("", _strip_marks(word.lower()))


def fold(text: str) -> str:
    """The words of `text`, folded, one space apart; numbers and identifiers as "#"."""
    # A "#" the text writes ("Order #8200...") is punctuation; only a masked number reads "#".
    masked = _NUMBERS.sub(NUMBER, _strip_marks(text.lower().replace(NUMBER, " ")))
    return _DIGRAPHS.sub("", " ".join(_WORDS.findall(masked)))


# -- row patterns -------------------------------------------------------------------------------

# A row pattern's pieces: an escape, a character class, a group opener, a counted repeat, or one
# character. Only these constructs appear in rows; anything else stays a single character.
_PIECE = re.compile(r"\\.|\[(?:\\.|[^\]])*\]|\(\?(?::|=|!|<=|<!)|\{\d*(?:,\d*)?\}|.", re.DOTALL)
_SYNTAX = set("\\.^$*+?{}[]()|")
_QUANTIFIERS = ("?", "*", "+", "{")
_PLACEHOLDER = re.compile(r"\{(?:order|parcel|n)\}")
# "{gap}": up to eight words between two cues of one statement ("Stornierungsanfrage für die
# Bestellung N wurde ... abgelehnt").
_GAP = "{gap}"
GAP_PATTERN = r"(?: \S+){0,8}"


def _fold_class(piece: str) -> str:
    """A character class with each letter folded on its own (a class holds single characters)."""
    folded = (fold_word(c) if c.isalpha() else c for c in piece)
    return "".join(f if len(f) == 1 else "" for f in folded)


def fold_pattern(pattern: str) -> str:
    """A row's regular expression rewritten to match folded text.

    Literal letters are folded like text; literal punctuation becomes a word gap; placeholders
    ({order}, {parcel}, {n}) become "#" and {gap} allows up to eight words. Groups, classes,
    alternation and quantifiers are kept. Punctuation before a quantifier keeps it ("seller'?s"
    reads "seller(?: )?s"), so an optional apostrophe becomes an optional gap.
    """
    pieces = _PIECE.findall(_PLACEHOLDER.sub(NUMBER, pattern).replace(_GAP, GAP_PATTERN))
    out: list[str] = []
    run: list[str] = []  # literal letters folded together: a digraph spans two of them
    for index, piece in enumerate(pieces):
        quantified = index + 1 < len(pieces) and pieces[index + 1][:1] in _QUANTIFIERS
        if len(piece) == 1 and piece.isalnum() and not quantified:
            run.append(piece)
            continue
        if run:
            out.append(re.escape(fold_word("".join(run))))
            run.clear()
        if len(piece) > 1:
            out.append(_fold_class(piece) if piece.startswith("[") else piece)
        elif piece.isalnum():  # a quantified letter: fold it alone
            folded = fold_word(piece)
            out.append(folded if len(folded) == 1 else f"(?:{re.escape(folded)})")
        elif piece in _SYNTAX or piece == NUMBER:
            out.append(piece)
        else:  # a space or literal punctuation: a gap between words
            out.append("(?: )" if quantified else " ")
    if run:
        out.append(re.escape(fold_word("".join(run))))
    return _squeeze("".join(out))


_GAPS = re.compile(r" {2,}")


def _squeeze(pattern: str) -> str:
    # "order #: order" folded "order # order": punctuation next to a space is one gap.
    return _GAPS.sub(" ", pattern).strip()


_ID = re.compile(r"[^\W_]*\d[^\W_]*", re.UNICODE)
_SPACE = re.compile(r"\s+")


def subject_shape(subject: str) -> str:
    """A subject with its numbers and identifiers as "<n>": "Bestellung <n>: Neuer Lieferstatus".

    Mails of one template share a shape; `fold(shape)` groups shapes that differ only in case
    or punctuation.
    """
    return _SPACE.sub(" ", _ID.sub("<n>", subject)).strip()
