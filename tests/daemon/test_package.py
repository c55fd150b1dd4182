"""The daemon package's own start: structlog imported without the tracebacks aliwatch never
uses, and nothing hidden from the rest of the process afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

_PROBE = """
import json, sys
{before}
early = sys.modules.get("rich")
import aliwatch.daemon.cli
import structlog.dev
found = {{
    "loaded": sorted(n for n in ("rich", "better_exceptions") if sys.modules.get(n)),
    "marks": sorted(n for n in ("rich", "better_exceptions") if n in sys.modules
                    and sys.modules[n] is None),
    "structlog_saw": [structlog.dev.rich is not None, structlog.dev.better_exceptions is not None],
    "same_rich": early is None or sys.modules.get("rich") is early,
}}
import rich, better_exceptions
found["importable_after"] = [rich.MARK, better_exceptions.MARK]
print(json.dumps(found))
"""


@pytest.fixture
def stand_ins(tmp_path: Path) -> Path:
    """Importable stand-ins for rich and better_exceptions, so the test holds with or without
    the real ones installed."""
    (tmp_path / "rich").mkdir()
    (tmp_path / "rich" / "__init__.py").write_text('MARK = "rich"\n')
    (tmp_path / "better_exceptions.py").write_text('MARK = "better"\n')
    return tmp_path


def _probe(path: Path, before: str = "") -> dict[str, object]:
    """What a fresh interpreter holds after importing the CLI (`before` runs first)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(before=before)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(path)},
    )
    return json.loads(done.stdout)


def test_starting_the_cli_does_not_import_rich_and_leaves_it_importable(stand_ins):
    found = _probe(stand_ins)
    assert found["loaded"] == [] and found["marks"] == []
    assert found["structlog_saw"] == [False, False]
    assert found["importable_after"] == ["rich", "better"]


def test_a_rich_imported_before_the_cli_is_left_in_place(stand_ins):
    found = _probe(stand_ins, before="import rich")
    assert found["loaded"] == ["rich"] and found["marks"] == []
    assert found["same_rich"] is True
    assert found["importable_after"] == ["rich", "better"]
