"""Java regular expressions, as API Gateway evaluates selection patterns.

Integration-response ``selectionPattern``s are Java regexes matched with
``String.matches`` semantics: the WHOLE input must match (``Invalid*`` does not match
``Invalid input``) [AWS docs, "Set up an integration response"; reference §0.1].
This module translates the Java dialect into Python's ``re`` (which since 3.11 also has
atomic groups and possessive quantifiers) and rejects what Java rejects.

Translated: ``\\Q...\\E`` quoting, ``(?<name>...)`` / ``\\k<name>`` named groups,
POSIX and Unicode classes (``\\p{Alpha}``, ``\\p{L}``, ``\\P{...}``), ``\\h``, ``\\z``.
Rejected like Java: a ``{`` that is not a quantifier ("Illegal repetition"), Python-only
``(?P<name>...)``, dangling quantifiers, unbalanced groups and classes.
Not expressible in Python (``[a-z&&[^aeiou]]`` class intersections, ``\\G``): valid in
Java, so `check` accepts them and `compile_java` raises `Unsupported`.
"""

from __future__ import annotations

import functools
import re


class JavaRegexError(ValueError):
    """The pattern is not a valid Java regex."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(f"{message} near index {index}")
        self.message = message
        self.index = index


class Unsupported(ValueError):
    """A valid Java regex that Python's engine cannot evaluate."""


_POSIX = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7F",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1F\\x7F",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0B\\f\\r",
    "javaLowerCase": "a-z",
    "javaUpperCase": "A-Z",
    "javaWhitespace": " \\t\\n\\x0B\\f\\r\\x1C-\\x1F",
    # Unicode categories, approximated with Python's Unicode-aware classes
    "L": "^\\W\\d_",
    "IsAlphabetic": "^\\W\\d_",
    "IsLetter": "^\\W\\d_",
    "Lu": "A-Z\\u00C0-\\u00DE",
    "Ll": "a-z\\u00DF-\\u00FF",
    "N": "\\d",
    "Nd": "\\d",
    "IsDigit": "\\d",
    "P": "!-/:-@\\[-`{-~",
    "IsPunctuation": "!-/:-@\\[-`{-~",
    "IsWhite_Space": "\\s",
    "Z": "\\s",
}
_QUANT = re.compile(r"\{(\d+)(,(\d*))?\}")


def _prop_class(name: str, negate: bool, inside: bool) -> str:
    body = _POSIX.get(name) or _POSIX.get(name.removeprefix("Is"))
    if body is None:
        raise JavaRegexError(f"Unknown character property name {{{name}}}", 0)
    if body.startswith("^"):  # a negated Python class: letters = [^\W\d_]
        if inside:
            raise Unsupported(f"\\p{{{name}}} inside a character class")
        return f"[{'' if negate else '^'}{body[1:]}]" if negate else f"[{body}]"
    if inside:
        if negate:
            raise Unsupported(f"\\P{{{name}}} inside a character class")
        return body
    return f"[{'^' if negate else ''}{body}]"


def translate(pattern: str) -> str:
    """Translate a Java regex into an equivalent Python one; raise JavaRegexError if Java rejects it."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    depth = 0
    in_class = 0
    unsupported: str | None = None
    can_quantify = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise JavaRegexError("Unexpected internal error (trailing backslash)", i)
            d = pattern[i + 1]
            if d == "Q":
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2 :] if end == -1 else pattern[i + 2 : end]
                out.append(re.escape(literal))
                i = n if end == -1 else end + 2
                can_quantify = bool(literal)
                continue
            if d in "pP":
                if i + 2 < n and pattern[i + 2] == "{":
                    close = pattern.find("}", i + 3)
                    if close == -1:
                        raise JavaRegexError("Unclosed character family", i)
                    name = pattern[i + 3 : close]
                    i = close + 1
                elif i + 2 < n:
                    name = pattern[i + 2]
                    i += 3
                else:
                    raise JavaRegexError("Illegal/unsupported escape sequence", i)
                try:
                    out.append(_prop_class(name, d == "P", in_class > 0))
                except JavaRegexError as exc:
                    raise JavaRegexError(exc.message, i) from None
                can_quantify = True
                continue
            if d == "k" and i + 2 < n and pattern[i + 2] == "<":
                close = pattern.find(">", i + 3)
                if close == -1:
                    raise JavaRegexError("\\k is not followed by '<' for named capturing group", i)
                out.append(f"(?P={pattern[i + 3 : close]})")
                i = close + 1
                can_quantify = True
                continue
            if d == "h":
                out.append("[ \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000]")
            elif d == "H":
                out.append("[^ \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000]")
            elif d == "z":
                out.append("\\Z")
            elif d == "Z":
                out.append("(?=\\n?\\Z)")
            elif d == "G":
                unsupported = unsupported or "\\G"
                out.append("")
            elif d == "R":
                out.append("(?:\\r\\n|[\\n\\x0B\\f\\r\\x85\\u2028\\u2029])")
            elif d == "e":
                out.append("\\x1B")
            elif d == "c" and i + 2 < n:
                out.append(f"\\x{ord(pattern[i + 2]) ^ 64:02X}")
                i += 3
                can_quantify = True
                continue
            elif d.isalpha() and d not in "dDsSwWbBAnrtfaux0123456789" and d not in "vV":
                raise JavaRegexError("Illegal/unsupported escape sequence", i + 1)
            else:
                out.append(c + d)
            i += 2
            can_quantify = d not in "bBAzZG"
            continue
        if in_class:
            if c == "[":
                in_class += 1
                unsupported = unsupported or "nested character class"
                out.append("")
                i += 1
                continue
            if c == "]":
                in_class -= 1
                out.append("]" if in_class == 0 else "")
                i += 1
                can_quantify = in_class == 0
                continue
            if c == "&" and pattern.startswith("&&", i):
                unsupported = unsupported or "character class intersection (&&)"
                i += 2
                continue
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = 1
            out.append("[")
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":  # a leading ] is literal in Java too
                out.append("\\]")
                i += 1
            continue
        if c == "(":
            if pattern.startswith("(?P", i):
                raise JavaRegexError("Unknown inline modifier", i + 2)
            if pattern.startswith("(?<", i) and i + 3 < n and pattern[i + 3] not in "=!":
                close = pattern.find(">", i + 3)
                if close == -1:
                    raise JavaRegexError("named capturing group is missing trailing '>'", i)
                name = pattern[i + 3 : close]
                if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name):
                    raise JavaRegexError("capturing group name does not start with a Latin letter", i + 3)
                out.append(f"(?P<{name}>")
                i = close + 1
                depth += 1
                can_quantify = False
                continue
            if pattern.startswith("(?", i):
                prefix = _GROUP_PREFIX.match(pattern, i)
                if prefix is not None:  # (?: (?= (?! (?> (?<= (?<!
                    out.append(prefix.group(0))
                    i = prefix.end()
                    depth += 1
                    can_quantify = False
                    continue
                flags = _INLINE_FLAGS.match(pattern, i)
                if flags is None:
                    raise JavaRegexError("Unknown inline modifier", i + 2)
                on, off = _python_flags(flags.group(1)), _python_flags(flags.group(2) or "")
                i = flags.end()
                can_quantify = False
                if flags.group(3) == ":":  # (?i:...) scoped flags: a group
                    out.append(f"(?{on}{'-' + off if off else ''}:")
                    depth += 1
                elif off or (on and out):
                    # Python takes global flags only at the very start, and never turns one off
                    unsupported = unsupported or f"inline flags {flags.group(0)} after the start of the pattern"
                elif on:
                    out.append(f"(?{on})")
                continue
            depth += 1
            out.append(c)
            i += 1
            can_quantify = False
            continue
        if c == ")":
            if depth == 0:
                raise JavaRegexError("Unmatched closing ')'", i)
            depth -= 1
            out.append(c)
            i += 1
            can_quantify = True
            continue
        if c == "{":
            m = _QUANT.match(pattern, i)
            if m is None:
                raise JavaRegexError("Illegal repetition", i)
            if not can_quantify:
                raise JavaRegexError("Dangling meta character '{'", i)
            if m.group(3) and int(m.group(3)) < int(m.group(1)):
                raise JavaRegexError("Illegal repetition range", i)
            out.append(m.group(0))
            i = m.end()
            i = _suffix(pattern, i, out)
            can_quantify = False
            continue
        if c in "*+?":
            if not can_quantify:
                raise JavaRegexError(f"Dangling meta character '{c}'", i)
            out.append(c)
            i = _suffix(pattern, i + 1, out)
            can_quantify = False
            continue
        out.append(c)
        i += 1
        can_quantify = c not in "|^$"
    if in_class:
        raise JavaRegexError("Unclosed character class", n - 1)
    if depth:
        raise JavaRegexError("Unclosed group", n)
    translated = "".join(out)
    if unsupported:
        raise Unsupported(f"{unsupported} is valid Java but cannot be evaluated locally")
    return translated


#: Group constructs Python writes as Java does.
_GROUP_PREFIX = re.compile(r"\(\?(?::|=|!|>|<=|<!)")
#: Java inline flags: ``(?i)``, ``(?s-i)``, ``(?x:...)``.
_INLINE_FLAGS = re.compile(r"\(\?([idmsuxU]*)(?:-([idmsuxU]*))?([:)])")


def _python_flags(java: str) -> str:
    """Java flag letters as Python's: ``d`` (UNIX_LINES: only \\n ends a line, as in Python) and
    ``u``/``U`` (Unicode case folding and classes, Python's default for str patterns) need no letter."""
    return "".join(dict.fromkeys(f for f in java if f in "imsx"))


def _suffix(pattern: str, i: int, out: list[str]) -> int:
    """Copy a lazy (?) or possessive (+) quantifier suffix."""
    if i < len(pattern) and pattern[i] in "?+":
        out.append(pattern[i])
        return i + 1
    return i


def check(pattern: str) -> JavaRegexError | None:
    """None if Java accepts the pattern, else the error Java would raise (approximately)."""
    try:
        python = translate(pattern)
    except Unsupported:
        return None
    except JavaRegexError as exc:
        return exc
    try:
        re.compile(python)
    except re.error as exc:
        return JavaRegexError(exc.msg, exc.pos or 0)
    return None


@functools.lru_cache(maxsize=4096)
def compile_java(pattern: str) -> re.Pattern[str]:
    """Compile a Java regex for use with ``fullmatch`` (Java's String.matches)."""
    return re.compile(translate(pattern))


def matches(pattern: str, text: str) -> bool:
    """Java ``text.matches(pattern)``: the whole text must match."""
    return compile_java(pattern).fullmatch(text) is not None
