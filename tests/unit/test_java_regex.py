"""Java regular expressions (selection patterns, $str.matches): translation, whole-string matching, errors."""

from __future__ import annotations

import pytest

from apigwc.java_regex import check, matches


@pytest.mark.parametrize(
    "pattern, text, expected",
    [
        # String.matches: the whole input must match
        ("Invalid*", "Invalid input", False),
        ("Invalid.*", "Invalid input", True),
        (r"5\d{2}", "500", True),
        (r"5\d{2}", "5000", False),
        # group constructs
        ("(?:a|b)c", "bc", True),
        ("(?=a)a", "a", True),
        ("(?!b)a", "a", True),
        ("(?<=a)b", "b", False),
        ("a(?<=a)", "a", True),
        ("(?>a+)b", "aab", True),
        ("(?<word>ab)\\k<word>", "abab", True),
        # inline flags at the start, and scoped flags anywhere
        ("(?i)abc", "ABC", True),
        ("(?s).*Error.*", "Bad\nError", True),
        (".*Error.*", "Bad\nError", False),
        ("(?is).*error.*", "Bad\nERROR", True),
        ("x(?i:a)b", "xAb", True),
        ("x(?i:a)b", "xAB", False),
        ("(?d)a.b", "a b", True),  # UNIX_LINES needs no Python flag
        (r"\Qa.b\E", "a.b", True),
        (r"\Qa.b\E", "axb", False),
        (r"\p{Alpha}+", "abc", True),
    ],
)
def test_matches(pattern: str, text: str, expected: bool) -> None:
    assert check(pattern) is None
    assert matches(pattern, text) is expected


@pytest.mark.parametrize(
    "pattern, message",
    [
        ("(?q)a", "Unknown inline modifier near index 2"),
        ("(?P<n>a)", "Unknown inline modifier near index 2"),
        ("(?i)*", "Dangling meta character '*' near index 4"),
        ("a{x}", "Illegal repetition near index 1"),
        ("(a", "Unclosed group near index 2"),
    ],
)
def test_java_rejects(pattern: str, message: str) -> None:
    error = check(pattern)
    assert error is not None and str(error) == message


@pytest.mark.parametrize(
    "pattern, text, expected",
    [
        ("a(?i)b", "aB", True),
        ("a(?i)b", "AB", False),
        ("(?-i)a", "a", True),
        ("[a-z&&[^aeiou]]", "b", True),
        ("[a-z&&[^aeiou]]", "a", False),
        (r"\p{Sc}", "€", True),
    ],
)
def test_valid_java_that_python_re_could_not_evaluate(pattern: str, text: str, expected: bool) -> None:
    """Mid-pattern flags, class intersections and Unicode properties evaluate (the regex library has them)."""
    assert check(pattern) is None
    assert matches(pattern, text) is expected
