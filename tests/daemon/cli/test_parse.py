"""`aliwatch parse` answers every input on its own line and never prints a traceback."""

from __future__ import annotations

import gzip
import io
import json
import mailbox
import subprocess
import sys
from pathlib import Path

from aliwatch.daemon.cli.parse import parse_paths
from aliwatch.parsers import AuthPolicy
from tests.parsers.test_fuzz import SEED
from tests.support import REPO

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [ALIWATCH, *args], input=stdin, capture_output=True, timeout=120, check=False, env=env
    )


def test_json_answers_one_line_per_input_including_errors(tmp_path):
    good = tmp_path / "good.eml"
    good.write_bytes(SEED)
    result = run("parse", "--json", str(good), str(tmp_path / "missing.eml"))
    assert result.returncode == 0
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [line["file"] for line in lines] == [str(good), str(tmp_path / "missing.eml")]
    assert lines[0]["kind"] == "awaiting_confirmation"
    assert lines[1]["error"] == "no such file or folder"
    assert b"Traceback" not in result.stderr


def test_stdin_is_read_with_a_dash():
    result = run("parse", "--json", "-", stdin=SEED)
    answer = json.loads(result.stdout)
    assert answer["file"] == "-"
    assert answer["order_ids"] == ["8200000000000001"]


def test_folder_is_searched_recursively_in_a_stable_order(tmp_path):
    for name in ("cur/2", "cur/1", "new/3"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(SEED)
    (tmp_path / "cur" / "1.json").write_text("{}")  # expected-fields files are skipped
    result = run("parse", "--json", str(tmp_path))
    files = [json.loads(line)["file"] for line in result.stdout.decode().splitlines()]
    assert files == [str(tmp_path / n) for n in ("cur/1", "cur/2", "new/3")]


def test_mbox_file_is_split_into_its_mails(tmp_path):
    box = mailbox.mbox(tmp_path / "takeout.mbox")
    box.add(SEED)
    box.add(SEED.replace(b"<seed@", b"<seed2@"))
    box.close()
    result = run("parse", "--json", str(tmp_path / "takeout.mbox"))
    answers = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [a["message_id"] for a in answers] == [
        "<seed@notice.aliexpress.com>",
        "<seed2@notice.aliexpress.com>",
    ]


def test_garbage_and_empty_files_are_named_as_not_mail_without_traceback(tmp_path):
    (tmp_path / "empty.eml").write_bytes(b"")
    (tmp_path / "garbage.eml").write_bytes(bytes(range(256)) * 100)
    result = run("parse", "--json", str(tmp_path))
    answers = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert answers == [
        {"file": str(tmp_path / "empty.eml"), "error": "not mail: an empty file"},
        {"file": str(tmp_path / "garbage.eml"), "error": "not mail: binary data"},
    ]
    assert b"Traceback" not in result.stderr


def test_parse_names_each_path_that_is_not_mail_with_what_it_looks_like(tmp_path, capsys):
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n")
    ics = tmp_path / "deadlines.ics"
    ics.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    gz = tmp_path / "takeout.mbox.gz"
    gz.write_bytes(gzip.compress(b"From a@b Mon Jan  1 00:00:00 2026\n" + SEED))
    text = tmp_path / "notes.txt"
    text.write_bytes(b"Note: call the seller\nabout the refund\n")
    paths = [str(p) for p in (pdf, ics, gz, text, tmp_path / "missing.mbox")]
    err = io.StringIO()
    code = parse_paths(
        paths, AuthPolicy(), io.BytesIO(), sys.stdout, err, as_json=True, explain=False
    )
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["error"] for a in answers] == [
        "not mail: a PDF document",
        "not mail: an iCalendar (.ics) file",
        "not mail: gzip-compressed data (a compressed mbox? gunzip it first)",
        "not mail: text with no mail header block (From:, Subject:, Date: ... then an empty line)",
        "no such file or folder",
    ]
    assert [a["file"] for a in answers] == paths
    assert code == 1  # nothing usable was given
    assert err.getvalue() == "aliwatch parse: no mail in what was given\n"


def test_parse_exits_0_when_some_path_gave_mail(tmp_path, capsys):
    good = tmp_path / "good.eml"
    good.write_bytes(SEED)
    paths = [str(good), str(tmp_path / "missing.eml")]
    err = io.StringIO()
    code = parse_paths(
        paths, AuthPolicy(), io.BytesIO(), sys.stdout, err, as_json=False, explain=False
    )
    table = capsys.readouterr().out
    assert "awaiting_confirmation" in table
    assert "no such file or folder" in table
    assert code == 0


def test_table_neutralises_terminal_escapes_from_the_mail(tmp_path):
    hostile = SEED.replace(b"Message-ID: <seed@", b"Message-ID: <\x1b[31mred@")
    (tmp_path / "m.eml").write_bytes(hostile)
    (tmp_path / "\x1b]0;title\x07.eml").write_bytes(hostile)
    result = run("parse", str(tmp_path))
    assert b"\x1b" not in result.stdout
    assert result.stdout.startswith(b"KIND")


def test_table_lists_kind_orders_and_flags(tmp_path):
    (tmp_path / "m.eml").write_bytes(SEED)
    out = run("parse", str(tmp_path / "m.eml")).stdout.decode()
    assert "awaiting_confirmation" in out
    assert "8200000000000001" in out
    assert "authentic" in out


def test_every_command_has_help():
    assert b"parse" in run("--help").stdout
    help_text = run("parse", "--help").stdout
    assert b"--json" in help_text
    assert b"PATH" in help_text


def test_trusted_authserv_ids_setting_changes_what_is_authentic(tmp_path):
    (tmp_path / "m.eml").write_bytes(SEED)
    env = {"PATH": "/usr/bin:/bin", "ALIWATCH_TRUSTED_AUTHSERV_IDS": "mx.other.example"}
    answer = json.loads(run("parse", "--json", str(tmp_path / "m.eml"), env=env).stdout)
    assert answer["authentic"] is False
    env["ALIWATCH_TRUSTED_AUTHSERV_IDS"] = " MX.example.net , mx.other.example"
    answer = json.loads(run("parse", "--json", str(tmp_path / "m.eml"), env=env).stdout)
    assert answer["authentic"] is True


def test_library_log_lines_never_reach_stderr(tmp_path):
    # mail-parser warns about parts it skips; such lines could carry mail content.
    mail = b"From: a@notice.aliexpress.com\r\nSubject: x\r\nContent-Type: text/enriched\r\n\r\nhi"
    (tmp_path / "m.eml").write_bytes(mail)
    result = run("parse", str(tmp_path / "m.eml"))
    assert result.returncode == 0
    assert result.stderr == b""


FIXTURES = REPO / "tests" / "fixtures"
RELAYED = FIXTURES / "real" / "aliexpress" / "129_aliexpress_bestellung_wurde_versandt.eml"


def test_explain_names_the_relay_the_row_and_the_decision():
    result = run("parse", "--explain", str(RELAYED))
    text = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "AliExpress mail: yes (sender transaction@notice.aliexpress.com, notice)" in text
    assert "relay undone: apple" in text
    assert "folded: bestellung # wurde versandt" in text
    assert "order_shipped/de/2 -> order_shipped" in text
    assert "decision: subject matches order_shipped/de/2" in text
    assert "-> order_shipped; orders 9999999999990005" in text


def test_explain_of_an_unrecognised_mail_shows_the_closest_rows():
    mail = FIXTURES / "other" / "unrecognized_refund_only_en.eml"
    text = run("parse", "--explain", str(mail)).stdout.decode()
    assert "subject rows that match: none" in text
    assert "closest subject rows:" in text and "% of its words" in text
    assert "decision: no row matches" in text
    assert "-> unrecognized; orders 8200391148805527" in text and "ATTENTION" in text


def test_explain_json_carries_the_marks_and_the_event(tmp_path):
    other = FIXTURES / "other" / "not_aliexpress_newsletter.eml"
    result = run("parse", "--explain", "--json", str(RELAYED), str(other), str(tmp_path / "x"))
    first, second, third = (json.loads(line) for line in result.stdout.decode().splitlines())
    assert first["identity"]["relay"] == "apple"
    assert first["identity"]["marks"][0]["value"] == "transaction@notice.aliexpress.com"
    assert first["event"]["kind"] == "order_shipped"
    assert [row["row"] for row in first["subject_rows"]] == ["order_shipped/de/2"]
    assert second["identity"]["aliexpress"] is False
    assert second["decision"] == "no mark of AliExpress"
    assert third["error"] == "no such file or folder"


def test_the_command_exits_1_naming_each_path_when_nothing_given_was_mail(tmp_path):
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    missing = tmp_path / "orders.mbox"
    result = run("parse", str(pdf), str(missing))
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 1, err
    assert "not mail: a PDF document" in out and str(pdf) in out
    assert "no such file" in out and str(missing) in out
    assert "no mail in what was given" in err
    # One usable path is enough: the command answers for it and exits 0.
    assert run("parse", str(pdf), str(REPO / "examples" / "mailbox")).returncode == 0
