"""`printf`/`print`/`println` and value printing, byte for byte as Go's `fmt` prints.

Every expected string below was produced by Go's `text/template` when the table was
written.
"""

from __future__ import annotations

from typing import Any

import pytest

from resolver.gotemplate import render

DATA: dict[str, Any] = {
    "list": [1, "two", None, 3.5, True, {"k": "v"}, ["n"]],
    "strs": ["a", "b"],
    "nums": [3, 1, 2],
    "m": {"b": 1, "a": "s", "c": None},
    "empty": [],
    "emptymap": {},
    "nil": None,
    "t": True,
    "zero": 0,
    "f": 2.0,
}

PRINTF = [
    (
        '{{ printf "%s %d %v %q %t %%" "s" 42 .list "q\\"" true }}',
        's 42 [1 two <nil> 3.5 true map[k:v] [n]] "q\\"" true %',
    ),
    (
        '{{ printf "%5s|%-5s|%05d|%x|%X|%o|%b|%c|%U|%#x" "ab" "ab" 42 255 255 8 5 65 65 255 }}',
        "   ab|ab   |00042|ff|FF|10|101|A|U+0041|0xff",
    ),
    (
        '{{ printf "%.2f|%e|%g|%.3g|%8.3f|%-8.2f|%+d|% d" '
        "3.14159 1234.5678 1e6 3.14159 2.5 2.5 5 5 }}",
        "3.14|1.234568e+03|1e+06|3.14|   2.500|2.50    |+5| 5",
    ),
    ('{{ printf "%d" "x" }}', "%!d(string=x)"),
    ('{{ printf "%s" 5 }}', "%!s(int=5)"),
    ('{{ printf "%d %d" 1 }}', "1 %!d(MISSING)"),
    ('{{ printf "%d" 1 2 "x" }}', "1%!(EXTRA int=2, string=x)"),
    ('{{ printf "%z" 1 }}', "%!z(int=1)"),
    ('{{ printf "%" }}', "%!(NOVERB)"),
    ('{{ printf "%q" 65 }}', "'A'"),
    ('{{ printf "%x" "hi" }} {{ printf "% x" "hi" }} {{ printf "%#x" "hi" }}', "6869 68 69 0x6869"),
    (
        '{{ printf "%v" .m }} {{ printf "%s" .strs }} {{ printf "%d" .nums }}',
        "map[a:s b:1 c:<nil>] [a b] [3 1 2]",
    ),
    (
        '{{ printf "%s" .list }}',
        "[%!s(int=1) two <nil> %!s(float64=3.5) %!s(bool=true) map[k:v] [n]]",
    ),
    ('{{ printf "%3d|" .nums }}', "[  3   1   2]|"),
    ('{{ printf "%*d|%-*d" 5 1 5 2 }}', "    1|2    "),
    ('{{ printf "%[2]s %[1]s" "a" "b" }}', "b a"),
    ('{{ printf "%.1s" "héllo" }}', "h"),
    ('{{ printf "%10.4v|" 3.14159 }}', "     3.142|"),
    ('{{ printf "%t" 1 }}', "%!t(int=1)"),
    ('{{ printf "%6.2f%%" 99.5 }}', " 99.50%"),
    ('{{ printf "%q" "é\\x00\\x7f" }}', '"é\\x00\\x7f"'),
    ('{{ printf "%08.3f" -3.14159 }}', "-003.142"),
    ('{{ printf "%+.2e" 12345.678 }}', "+1.23e+04"),
    ('{{ printf "%v" 1e100 }}', "1e+100"),
    ('{{ printf "%g" 0.000012345 }}', "1.2345e-05"),
    ('{{ printf "%G" 1e-10 }}', "1E-10"),
    ('{{ printf "%E" 1e10 }}', "1.000000E+10"),
    ('{{ printf "%.0f" 2.5 }} {{ printf "%.0f" 3.5 }}', "2 4"),
    ('{{ printf "%5t|" true }}', " true|"),
    ('{{ printf "%-5d|" -3 }}', "-3   |"),
    ('{{ printf "%05s" "ab" }}', "000ab"),
    ('{{ printf "%.3d" 7 }}', "007"),
    ('{{ printf "%08.3d" 7 }}', "     007"),
    ('{{ printf "%x" -255 }}', "-ff"),
    ('{{ printf "%#o %O" 8 8 }}', "010 0o10"),
    ('{{ printf "%c" 233 }}', "é"),
    ('{{ printf "%#U" 233 }}', "U+00E9 'é'"),
    ('{{ printf "%s" .nil }}', "%!s(<nil>)"),
    ('{{ printf "%d" .f }}', "%!d(float64=2)"),
    ('{{ printf "%f" 1 }}', "%!f(int=1)"),
    ('{{ printf "%05d" `r` }}', "%!d(string=0000r)"),
    ('{{ printf "%v" .emptymap }} {{ printf "%v" .empty }}', "map[] []"),
    ('{{ printf "%x %X %x" 2.0 3.5 0.1 }}', "0x1p+01 0X1.CP+01 0x1.999999999999ap-04"),
    ('{{ printf "%999999999d" 1 }}', "%!(NOVERB)%!(EXTRA int=1)"),
    ("{{ printf \"%c%c\" 'h' 'i' }}", "hi"),
    ('{{ printf "" }}|{{ print }}|{{ println }}', "||\n"),
    ("{{ print 1.5 2.0 -0.5 }}", "1.5 2 -0.5"),
    ('{{ .Env | printf "%q" }}', '"ai"'),
]


@pytest.mark.parametrize(("text", "expected"), PRINTF)
def test_printf_matches_go(text: str, expected: str) -> None:
    assert render(text, {**DATA, "Env": "ai"}) == expected


FLOATS = [
    (0.0, "0"),
    (1.0, "1"),
    (-2.5, "-2.5"),
    (100000.0, "100000"),
    (1e6, "1e+06"),
    (1234567.0, "1.234567e+06"),
    (0.0001, "0.0001"),
    (0.00001, "1e-05"),
    (0.1 + 0.2, "0.30000000000000004"),
    (float("inf"), "+Inf"),
    (float("-inf"), "-Inf"),
    (float("nan"), "NaN"),
]


@pytest.mark.parametrize(("value", "expected"), FLOATS)
def test_floats_print_like_go(value: float, expected: str) -> None:
    assert render("{{ .v }}", {"v": value}) == expected
