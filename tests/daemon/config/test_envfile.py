"""The env file read as systemd's EnvironmentFile= reads it: cases from systemd's own test
suite (src/test/test-env-file.c, systemd 254+), then what `check` says where dotenv differs."""

from __future__ import annotations

import pytest

from aliwatch.daemon.config.envfile import EnvFileError, differences, parse, read, values

# (file text, the variables systemd sets). The first six are test-env-file.c's env_file_1..6
# and its parse_env_file and parse_multiline_env_file cases, with the values it asserts.
SYSTEMD_CASES = [
    (
        "a=a\na=b\na=b\na=a\nb=b\\\nc\nd= d\\\ne  \\\nf  \ng=g\\ \nh= ąęół\\ śćńźżμ \ni=i\\",
        {"a": "a", "b": "bc", "d": "de  f", "g": "g ", "h": "ąęół śćńźżμ", "i": "i"},
    ),
    ("a=a\\\n", {"a": "a"}),
    (
        '#SPAMD_ARGS="-d --socketpath=/var/lib/bulwark/spamd \\\n'
        "#--nouser-config                                     \\\n"
        "normal1=line\\\n111\n"
        ";normal=ignored                                      \\\n"
        "normal2=line222\n"
        "normal ignored                                       \\\n",
        {"normal1": "line111", "normal2": "line222"},
    ),
    (
        '# Generated\n\nHWMON_MODULES="coretemp f71882fg"\n\n# For compatibility reasons\n\n'
        "MODULE_0=coretemp\nMODULE_1=f71882fg",
        {"HWMON_MODULES": "coretemp f71882fg", "MODULE_0": "coretemp", "MODULE_1": "f71882fg"},
    ),
    ("a=\nb=", {"a": "", "b": ""}),
    (
        "a=\\ \\n \\t \\x \\y \\' \n"
        "b= \\$'                  \n"
        "c= ' \\n\\t\\$\\`\\\\\n'   \n"
        'd= " \\n\\t\\$\\`\\\\\n"   \n',
        {"a": " n t x y '", "b": "$'", "c": " \\n\\t\\$\\`\\\\\n", "d": " \\n\\t$`\\\n"},
    ),
    (
        "one=BAR   \n# comment\n # comment \n ; comment \n  two   =   bar    \n"
        "invalid line\ninvalid line #comment\n"
        'three = "333\nxxxx"\n'
        "four = '44\\\"44'\n"
        'five = "55\\"55" "FIVE" cinco   \n'
        "six = seis sechs\\\n sis\n"
        'seven="sevenval" #nocomment\n'
        "eight=eightval #nocomment\n"
        "export nine=nineval\n"
        "ten=ignored\nten=ignored\nten=\n"
        "eleven=\\value\n"
        'twelve="\\value"\n'
        "thirteen='\\value'",
        {
            "one": "BAR",
            "two": "bar",
            "three": "333\nxxxx",
            "four": '44\\"44',
            "five": '55"55FIVEcinco',
            "six": "seis sechs sis",
            "seven": "sevenval#nocomment",
            "eight": "eightval #nocomment",
            # "export nine" is read, then dropped by EnvironmentFile= (not a variable name)
            "ten": "",
            "eleven": "value",
            "twelve": "\\value",
            "thirteen": "\\value",
        },
    ),
    (
        "one=BAR\\\n\\ \\ \\ \\ VAR\\\n\\\tGAR\n#comment\n"
        'two="bar\\\n    var\\\n\tgar"\n#comment\n'
        'tri="bar \\\n    var \\\n\tgar "\n',
        {"one": "BAR    VAR\tGAR", "two": "bar    var\tgar", "tri": "bar     var \tgar "},
    ),
    # aliwatch's own cases: the comment after a value is part of it.
    (
        "ALIWATCH_QUIET_HOURS=22:00-08:00   # at night\n",
        {"ALIWATCH_QUIET_HOURS": "22:00-08:00   # at night"},
    ),
    ("ALIWATCH_QUIET_HOURS='22:00-08:00'   \n", {"ALIWATCH_QUIET_HOURS": "22:00-08:00"}),
    ("export ALIWATCH_IMAP_HOST=imap.example.org\n1X=2\na.b=3\n", {}),
]


@pytest.mark.parametrize(("text", "expected"), SYSTEMD_CASES)
def test_the_file_is_read_as_systemd_reads_it(text, expected):
    assert values(parse(text)) == expected


def test_each_assignment_knows_the_line_it_starts_on():
    found = parse('# c\n\nA=1\nB="x\ny"\nC=3\\\n4\nD=5')
    assert [(a.name, a.line) for a in found] == [("A", 3), ("B", 4), ("C", 6), ("D", 8)]


def test_a_file_that_is_not_utf8_is_refused_as_systemd_refuses_it(tmp_path):
    path = tmp_path / "aliwatch.env"
    path.write_bytes(b"ALIWATCH_IMAP_HOST=imap\nALIWATCH_IMAP_PASSWORD=s\xe9cret\n")
    with pytest.raises(EnvFileError, match=r"not UTF-8 \(line 2\)") as caught:
        read(path)
    assert "cret" not in str(caught.value)


def test_a_comment_after_a_value_is_a_difference_check_flags():
    [found] = differences(
        "ALIWATCH_IMAP_HOST=imap\nALIWATCH_QUIET_HOURS=22:00-08:00   # at night\n"
    )
    assert (found.name, found.line, found.systemd, found.dotenv) == (
        "ALIWATCH_QUIET_HOURS",
        2,
        "22:00-08:00   # at night",
        "22:00-08:00",
    )
    assert "a comment goes on a line of its own" in found.explain()


def test_an_export_line_is_a_difference_check_flags():
    [found] = differences("export ALIWATCH_IMAP_HOST=imap.example.org\n")
    assert found.line == 1 and found.systemd is None
    assert "write ALIWATCH_IMAP_HOST=..." in found.explain()


def test_a_continued_line_dotenv_splits_is_a_difference():
    found = differences("ALIWATCH_IMAP_USER=me\\\nALIWATCH_IMAP_HOST=imap\n")
    assert {(d.name, d.systemd) for d in found} == {
        ("ALIWATCH_IMAP_USER", "meALIWATCH_IMAP_HOST=imap"),
        ("ALIWATCH_IMAP_HOST", None),
    }


def test_a_secret_that_differs_is_never_shown():
    [found] = differences("ALIWATCH_IMAP_PASSWORD=hunter2 # mine\n")
    assert "hunter2" not in found.explain()


def test_lines_both_read_alike_are_no_difference():
    text = "# c\nA=1\nB='x y'\nC=\"q\"\nD=\nE=a=b\n"
    assert differences(text) == []
