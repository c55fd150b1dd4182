"""Loading the settings as a command needs them: names checked, errors in plain words.

Every ALIWATCH_* name in the environment and the env file must be a setting (a typo would
otherwise be ignored and its setting silently keep the default); every wrong value is one
line that names the variable, says what is wrong and shows an example.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from aliwatch.daemon.config import envfile
from aliwatch.daemon.config.env_template import example
from aliwatch.daemon.config.errors import ConfigError
from aliwatch.daemon.config.settings import PREFIX, Settings

# ALIWATCH_* names that are no setting but may be in the environment of a command: the test
# suite's own (tests/e2e/test_fuzz_daemon.py's seed, tests/servers/syslog_to_file.c's log
# file), which reach the daemons the suite starts.
NOT_SETTINGS = frozenset({"ALIWATCH_FUZZ_SEED", "ALIWATCH_SYSLOG_FILE"})


class SettingsError(ConfigError):
    """The settings cannot be used: one line per problem, each naming its variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def setting_names() -> list[str]:
    """Every ALIWATCH_* variable that is a setting."""
    return [PREFIX + name.upper() for name in Settings.model_fields]


def unknown_names(names: Iterable[str], where: str) -> list[str]:
    """A problem for each ALIWATCH_* name in `names` that is no setting, with the closest
    setting's name when one is close; `where` says where it was found."""
    known = setting_names()
    # Compared without the prefix, which every name shares and which would make all look close.
    suffixes = [name.removeprefix(PREFIX) for name in known]
    problems = []
    for name in names:
        upper = name.upper()
        if not upper.startswith(PREFIX) or upper in known or upper in NOT_SETTINGS:
            continue
        close = difflib.get_close_matches(upper.removeprefix(PREFIX), suffixes, n=1, cutoff=0.6)
        hint = (
            f"; did you mean {PREFIX}{close[0]}?"
            if close
            else " (`aliwatch init` writes a file listing every setting)"
        )
        problems.append(f"{name} ({where}) is not a setting{hint}")
    return problems


def describe(err: ValidationError) -> list[str]:
    """One line per problem pydantic found: the variable, what is wrong, an example value."""
    lines = []
    for problem in err.errors(include_url=False):
        name = PREFIX + str(problem["loc"][0]).upper() if problem["loc"] else "settings"
        cause = problem.get("ctx", {}).get("error")
        # A validator's own ValueError already says what is expected; pydantic's message
        # would prefix it with "Value error, ".
        text = str(cause) if problem["type"] == "value_error" and cause else problem["msg"]
        shown = example(name.removeprefix(PREFIX))
        lines.append(f"{name}: {text} (e.g. {name}={shown})" if shown else f"{name}: {text}")
    return lines


@dataclass(frozen=True, slots=True)
class Loaded:
    """The settings and what was found on the way: the file read, and names that are no
    setting (a command refuses them; `check` lists them among its failures)."""

    settings: Settings
    env_file: Path | None
    unknown: list[str] = field(default_factory=list)


def env_file_problems(path: Path) -> list[str]:
    """The env file's names that are no setting, and its ALIWATCH_* lines systemd drops
    (`export ALIWATCH_X=...`); EnvFileError when it cannot be read."""
    assignments = envfile.parse(envfile.read_text(path))
    dropped = [
        f"{path}: line {a.line}: systemd ignores {a.name}=... ({a.name!r} is not a variable "
        f"name); write {a.name.split()[-1]}=..."
        for a in assignments
        if not a.valid and PREFIX in a.name.upper()
    ]
    return unknown_names(envfile.values(assignments), f"in {path}") + dropped


def load(env_file: Path | None) -> Loaded:
    """The settings from the environment and the env file (the environment wins), read as
    systemd reads it. Raises SettingsError listing every wrong value, and EnvFileError when
    the file cannot be read."""
    unknown = unknown_names(os.environ, "in the environment")
    if env_file is not None:
        unknown += env_file_problems(env_file)
    try:
        settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as err:
        raise SettingsError(unknown + describe(err)) from err
    return Loaded(settings, env_file, unknown)
