"""A progress bar for `aliwatch import`, by bytes read, shown only on a terminal."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from aliwatch.daemon.sources.inputs import Input, is_mail_file


def input_bytes(paths: Sequence[str]) -> int | None:
    """How many bytes the mail files under `paths` hold (a stat each, nothing read).

    None when a path is stdin (`-`): its size is not known in advance.
    """
    total = 0
    for name in paths:
        if name == "-":
            return None
        path = Path(name)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                total += sum(
                    _size(Path(root) / file_name) for file_name in files if is_mail_file(file_name)
                )
        else:
            total += _size(path)
    return total


def with_progress(
    items: Iterable[Input], total: int | None, stream: TextIO, *, every: float = 0.1
) -> Iterator[Input]:
    """`items`, advancing a bar by each mail's size; silent unless `stream` is a terminal.

    tqdm draws it (rate, remaining time, redraws at most every `every` seconds); it is imported
    only here, so the daemon never loads it.
    """
    from tqdm import tqdm  # noqa: PLC0415 - only `import` on a terminal draws a bar

    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        desc="importing",
        file=stream,
        disable=None,  # tqdm: None turns the bar off when `stream` is not a TTY (logs, pipes)
        leave=False,
        mininterval=every,
    ) as bar:
        for item in items:
            yield item
            bar.update(len(item.data or b""))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # unreadable: iter_inputs reports it as a failed input
