"""The import progress bar: drawn on a terminal by bytes read, silent in pipes and logs."""

from __future__ import annotations

import io

from aliwatch.daemon.cli.progress import input_bytes, with_progress
from aliwatch.daemon.sources.inputs import Input, iter_inputs
from tests.fixture_corpus import FIXTURES


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_advances_by_each_mail_size_on_a_terminal():
    items = [Input("a", b"x" * 600), Input("b", b"y" * 400)]
    stream = Terminal()
    # every=0: draw every step (tqdm's TQDM_MININTERVAL is read once, when tqdm is imported).
    assert list(with_progress(items, 1000, stream, every=0)) == items
    drawn = stream.getvalue()
    assert "importing" in drawn and "600/1.00k" in drawn  # advanced by the first mail
    assert drawn.endswith("\r")  # and wiped at the end: the summary line follows


def test_nothing_is_written_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    list(with_progress([Input("a", b"x" * 10)], 10, stream))
    assert stream.getvalue() == ""


def test_the_total_is_the_size_of_the_mail_files_that_will_be_read():
    folder = FIXTURES / "order"
    read = sum(len(item.data or b"") for item in iter_inputs([str(folder)], io.BytesIO()))
    assert input_bytes([str(folder)]) == read  # the .json beside each fixture is not counted


def test_stdin_has_no_known_total():
    assert input_bytes(["-"]) is None
