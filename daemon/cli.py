"""The `aliwatch` command line: parse arguments, build settings, call one function, print."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from daemon.parse_command import answer, print_json, print_table
from daemon.quiet import quiet_libraries
from daemon.settings import Settings
from daemon.sources import iter_inputs
from parsers import AuthPolicy


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aliwatch",
        description="Watch AliExpress order, parcel and dispute mail; warn before deadlines pass.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parse = commands.add_parser(
        "parse",
        help="recognise mail files and print what each one means",
        description=(
            "Recognise AliExpress mail. PATH may be an .eml file, an mbox file, a folder "
            "(Maildir or .eml files, searched recursively) or - for one mail on stdin. "
            "Nothing is stored and no network is used."
        ),
    )
    parse.add_argument("--json", action="store_true", help="one JSON object per mail per line")
    parse.add_argument("paths", nargs="+", metavar="PATH", help="mail file, folder, mbox or -")
    return parser


def _settings_or_exit() -> Settings:
    try:
        return Settings()
    except ValidationError as err:
        for problem in err.errors():
            name = "ALIWATCH_" + "_".join(str(p) for p in problem["loc"]).upper()
            print(f"aliwatch: {name}: {problem['msg']}", file=sys.stderr)
        raise SystemExit(2) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `aliwatch` console script."""
    args = _parser().parse_args(argv)
    quiet_libraries()
    settings = _settings_or_exit()
    if args.command == "parse":
        policy = AuthPolicy(trusted_authserv_ids=settings.trusted_authserv_ids)
        answers = (answer(item, policy) for item in iter_inputs(args.paths, sys.stdin.buffer))
        try:
            (print_json if args.json else print_table)(answers, sys.stdout)
        except BrokenPipeError:
            # `aliwatch parse ... | head` closed the pipe: not an error worth a traceback.
            sys.stderr.close()
            return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
