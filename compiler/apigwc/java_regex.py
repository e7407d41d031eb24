"""Java regular expressions, as API Gateway evaluates selection patterns and ``$str.matches``.

Integration-response ``selectionPattern``s are Java regexes matched with
``String.matches`` semantics: the WHOLE input must match (``Invalid*`` does not match
``Invalid input``) [AWS docs, "Set up an integration response"; reference §0.1].

How: each Java construct is translated into the dialect of the `regex` library (mrab's
regex, in its VERSION1 mode), chosen over the standard ``re`` because it has what Java has
and ``re`` lacks: Unicode properties (``\\p{Sc}``, scripts, blocks), nested classes and
class intersection (``[a-z&&[^aeiou]]``), inline flags in the middle of a pattern that can
be turned off (``a(?i)b``, ``(?-i)``), ``\\G``.  Where Java's defaults differ from the
library's, the translation says what Java means instead of relying on flags:

* ``\\d \\w \\s`` and the POSIX classes (``\\p{Lower}``) are ASCII unless ``(?U)``;
* ``.`` stops at every Java line terminator (``\\n \\r \\u0085 \\u2028 \\u2029``; only ``\\n``
  with ``(?d)``); ``$`` and ``\\Z`` also match before a final one; ``^``/``$`` in ``(?m)``;
* ``(?i)`` folds ASCII letters only unless ``(?u)``;
* ``\\v`` is vertical whitespace, ``\\0nnn`` octal, ``\\x{h..h}`` a code point, ``\\cX`` a
  control character, ``\\e`` escape, ``\\h`` horizontal whitespace, ``\\R`` a line break;
* ``a{2}{3}`` is accepted and its second repetition repeats nothing (it matches "aa"), as
  Java 17 does; ``{2}`` at the start repeats the empty string.

What Java rejects is rejected with Java's message and index where the translation sees
it ("Illegal repetition", "Unknown inline modifier", "Dangling meta character",
"Unclosed group", "Unknown character property name").  tests/unit/test_java_regex_jdk.py
runs every probe of tests/unit/java_regex/probes.py through the JDK's java.util.regex
where a JDK is installed, checks the recorded answers (recorded.json) against it, and
holds this module to those answers on every machine.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex


class JavaRegexError(ValueError):
    """The pattern is not a valid Java regex."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(f"{message} near index {index}")
        self.message = message
        self.index = index


# ----------------------------------------------------------------------------------------
# What Java's names mean, in the regex library's terms

_TERMINATORS = "\\n\\r\\u0085\\u2028\\u2029"
#: Java's POSIX classes: ASCII by default, Unicode properties with (?U) (Pattern's javadoc table)
_POSIX_ASCII = {
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
}
_POSIX_UNICODE = {
    "Lower": "\\p{Lowercase}",
    "Upper": "\\p{Uppercase}",
    "ASCII": "\\x00-\\x7F",
    "Alpha": "\\p{Alphabetic}",
    "Digit": "\\p{Nd}",
    "Alnum": "\\p{Alphabetic}\\p{Nd}",
    "Punct": "\\p{P}",
    "Graph": "[^\\p{White_Space}\\p{Cc}\\p{Cs}\\p{Cn}]",
    "Print": "[[^\\p{White_Space}\\p{Cc}\\p{Cs}\\p{Cn}]\\p{Zs}--\\p{Cc}]",
    "Blank": "\\p{Zs}\\t",
    "Cntrl": "\\p{Cc}",
    "XDigit": "\\p{Nd}\\p{Hex_Digit}",
    "Space": "\\p{White_Space}",
}
#: java.lang.Character's classes (\p{javaLowerCase}...)
_JAVA = {
    "javaLowerCase": "\\p{Lowercase}",
    "javaUpperCase": "\\p{Uppercase}",
    "javaTitleCase": "\\p{Lt}",
    "javaDigit": "\\p{Nd}",
    "javaDefined": "\\P{Cn}",
    "javaLetter": "\\p{L}",
    "javaLetterOrDigit": "\\p{L}\\p{Nd}",
    "javaAlphabetic": "\\p{Alphabetic}",
    "javaIdeographic": "\\p{Ideographic}",
    "javaSpaceChar": "\\p{Z}",
    "javaWhitespace": "\\t\\n\\x0B\\f\\r\\x1C-\\x1F[\\p{Z}--[\\u00A0\\u2007\\u202F]]",
    "javaISOControl": "\\x00-\\x1F\\x7F-\\x9F",
    "javaMirrored": "\\p{Bidi_Mirrored}",
    "javaIdentifierIgnorable": "\\x00-\\x08\\x0E-\\x1B\\x7F-\\x9F\\p{Cf}",
    "javaUnicodeIdentifierStart": "\\p{ID_Start}",
    "javaUnicodeIdentifierPart": "\\p{ID_Continue}\\p{Cf}",
    "javaJavaIdentifierStart": "\\p{L}\\p{Nl}\\p{Sc}\\p{Pc}",
    "javaJavaIdentifierPart": "\\p{L}\\p{Nl}\\p{Sc}\\p{Pc}\\p{Nd}\\p{Mn}\\p{Mc}\\x00-\\x08\\x0E-\\x1B\\x7F-\\x9F\\p{Cf}",
}
#: Java's binary properties (\p{IsAlphabetic}), by their Java names
_BINARY = {
    "alphabetic": "Alphabetic",
    "ideographic": "Ideographic",
    "letter": "L",
    "lowercase": "Lowercase",
    "uppercase": "Uppercase",
    "titlecase": "Lt",
    "punctuation": "P",
    "control": "Cc",
    "white_space": "White_Space",
    "whitespace": "White_Space",
    "digit": "Nd",
    "hex_digit": "Hex_Digit",
    "hexdigit": "Hex_Digit",
    "join_control": "Join_Control",
    "joincontrol": "Join_Control",
    "noncharacter_code_point": "Noncharacter_Code_Point",
    "noncharactercodepoint": "Noncharacter_Code_Point",
    "assigned": "Assigned",
    "emoji": "Emoji",
    "emoji_presentation": "Emoji_Presentation",
    "emoji_modifier": "Emoji_Modifier",
    "emoji_modifier_base": "Emoji_Modifier_Base",
    "emoji_component": "Emoji_Component",
    "extended_pictographic": "Extended_Pictographic",
}
_CATEGORIES = frozenset(
    "L Lu Ll Lt Lm Lo LC M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn".split()
)


@functools.cache
def _known(prop: str) -> bool:
    """Whether the regex library knows a property (a script or block name from a pattern)."""
    import regex

    try:
        regex.compile(f"\\p{{{prop}}}")
    except regex.error:
        return False
    return True


def _property(name: str, unicode_classes: bool) -> str | None:
    """The class body (for inside ``[...]``) of Java's ``\\p{name}``, or None if Java does not know it."""
    if name in _POSIX_ASCII:
        return _POSIX_UNICODE[name] if unicode_classes else _POSIX_ASCII[name]
    if name in _JAVA:
        return _JAVA[name]
    if name in _CATEGORIES:
        return f"\\p{{{name}}}"
    key, eq, value = name.partition("=")
    if eq:
        kind = {
            "sc": "Script",
            "script": "Script",
            "blk": "Block",
            "block": "Block",
            "gc": "gc",
            "general_category": "gc",
        }.get(key.lower())
        if kind is None:
            return None
        if kind == "gc":
            return f"\\p{{{value}}}" if value in _CATEGORIES else None
        return f"\\p{{{kind}={value}}}" if _known(f"{kind}={value}") else None
    if name.startswith("In"):
        return f"\\p{{Block={name[2:]}}}" if _known(f"Block={name[2:]}") else None
    if name.startswith("Is"):
        rest = name[2:]
        if _known(f"Script={rest}") and rest.lower() not in _BINARY:
            return f"\\p{{Script={rest}}}"
        if rest.lower() in _BINARY:
            return f"\\p{{{_BINARY[rest.lower()]}}}"
        if rest in _CATEGORIES:
            return f"\\p{{{rest}}}"
    return None


# ----------------------------------------------------------------------------------------
# The translation: one method per construct


@dataclass(frozen=True, slots=True)
class _Flags:
    """The Java flags in force: they decide what ``.``, ``^``, ``$``, ``\\w`` and literals mean."""

    i: bool = False  # CASE_INSENSITIVE
    u: bool = False  # UNICODE_CASE
    U: bool = False  # UNICODE_CHARACTER_CLASS (implies u)
    s: bool = False  # DOTALL
    m: bool = False  # MULTILINE
    d: bool = False  # UNIX_LINES
    x: bool = False  # COMMENTS

    def set(self, on: str, off: str) -> "_Flags":
        changes = {f: True for f in on} | {f: False for f in off}
        return replace(self, **changes)


_QUANT = re.compile(r"\{(\d+)(,(\d*))?\}")
#: group constructs the library writes as Java does
_GROUP_PREFIX = re.compile(r"\(\?(?::|=|!|>|<=|<!)")
#: Java inline flags: ``(?i)``, ``(?s-i)``, ``(?x:...)``
_INLINE_FLAGS = re.compile(r"\(\?([idmsuxU]*)(?:-([idmsuxU]*))?([:)])")
_SIMPLE_ESCAPES = {"t": "\\t", "n": "\\n", "r": "\\r", "f": "\\f", "a": "\\a", "e": "\\x1B"}
_HSPACE = " \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000"
_VSPACE = "\\n\\x0B\\f\\r\\x85\\u2028\\u2029"


class _Translator:
    """A single pass over a Java pattern, writing the regex library's equivalent into ``out``."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.n = len(pattern)
        self.i = 0
        self.out: list[str] = []
        self.flags = _Flags()
        #: one entry per open group: the flags to restore when it closes, and where it starts in ``out``
        self.groups: list[tuple[_Flags, int]] = []
        #: index in ``out`` where the last quantifiable atom starts (None: nothing to quantify)
        self.atom: int | None = None
        #: the atom was just quantified (a second quantifier repeats the repetition)
        self.quantified = False
        self.unicode_case_anywhere = False

    def error(self, message: str, index: int | None = None) -> JavaRegexError:
        return JavaRegexError(message, self.i if index is None else index)

    def emit_atom(self, text: str) -> None:
        self.atom = len(self.out)
        self.quantified = False
        self.out.append(text)

    def translate(self) -> str:
        while self.i < self.n:
            c = self.p[self.i]
            if self.flags.x and (c.isspace() or c == "#"):
                self.comment_or_space()
            elif c == "\\":
                self.escape(in_class=False)
            elif c == "[":
                self.char_class()
            elif c == "(":
                self.group_open()
            elif c == ")":
                self.group_close()
            elif c == "{" or c in "*+?":
                self.quantifier()
            else:
                self.plain(c)
        if self.groups:
            raise self.error("Unclosed group", self.n)
        return "".join(self.out)

    # -- single characters -----------------------------------------------------------------

    def comment_or_space(self) -> None:
        if self.p[self.i] == "#":
            end = self.p.find("\n", self.i)
            self.i = self.n if end == -1 else end + 1
        else:
            self.i += 1

    def literal(self, ch: str) -> str:
        """One literal character: escaped, and matched case-sensitively when Java would (ASCII-only (?i))."""
        text = regex_escape(ch)
        if self.flags.i and not (self.flags.u or self.flags.U) and not ch.isascii() and ch.lower() != ch.upper():
            return f"(?-i:{text})"
        return text

    def plain(self, c: str) -> None:
        self.i += 1
        if c == ".":
            if self.flags.s:
                self.emit_atom("(?s:.)")
            else:
                self.emit_atom("[^\\n]" if self.flags.d else f"[^{_TERMINATORS}]")
        elif c == "^":
            self.atom = None
            after = "\\n" if self.flags.d else _TERMINATORS
            self.out.append(f"(?:\\A|(?<=[{after}])(?!\\Z))" if self.flags.m else "\\A")
        elif c == "$":
            self.atom = None
            self.out.append(self.end_anchor(multiline=self.flags.m))
        elif c == "|":
            self.atom = None
            self.out.append("|")
        else:
            self.emit_atom(self.literal(c))

    def end_anchor(self, multiline: bool) -> str:
        if self.flags.d:
            return "(?=\\n|\\Z)" if multiline else "(?=\\n?\\Z)"
        if multiline:
            return f"(?=[{_TERMINATORS}]|\\Z)"
        return f"(?=(?:\\r\\n|[{_TERMINATORS}])?\\Z)"

    # -- escapes ---------------------------------------------------------------------------

    def escape(self, in_class: bool) -> str | None:
        """Translate the escape at ``self.i``; inside a class return its class body, else emit it."""
        p, i = self.p, self.i
        if i + 1 >= self.n:
            raise self.error("Unexpected internal error", self.n)
        d = p[i + 1]
        self.i = i + 2
        if d == "Q":
            end = p.find("\\E", i + 2)
            text = p[i + 2 :] if end == -1 else p[i + 2 : end]
            self.i = self.n if end == -1 else end + 2
            body = "".join(self.literal(ch) for ch in text)
            if in_class:
                return "".join(regex_escape(ch) for ch in text)
            if text:
                self.emit_atom(f"(?:{body})")
            return None
        if d in "pP":
            body = self.property(d == "P")
            return self.class_or_atom(body, in_class)
        if d == "k" and not in_class:
            if self.i >= self.n or p[self.i] != "<":
                raise self.error("\\k is not followed by '<' for named capturing group", self.i)
            close = p.find(">", self.i + 1)
            if close == -1:
                raise self.error("named capturing group is missing trailing '>'", self.i)
            name = p[self.i + 1 : close]
            self.i = close + 1
            self.emit_atom(f"(?P={name})")
            return None
        simple = self.simple_class(d)
        if simple is not None:
            return self.class_or_atom(simple, in_class)
        char = self.escaped_char(d)
        if char is not None:
            return regex_escape(char) if in_class else self.emit_atom(self.literal(char))
        if not in_class and d in "bBAGzZ":
            self.atom = None
            self.out.append({"z": "\\Z", "Z": self.end_anchor(multiline=False)}.get(d, "\\" + d))
            return None
        if not in_class and d == "R":
            self.emit_atom("(?:\\r\\n|[\\n\\x0B\\f\\r\\x85\\u2028\\u2029])")
            return None
        if d.isdigit() and not in_class:  # a back reference
            j = self.i
            while j < self.n and p[j].isdigit():
                j += 1
            self.i = j
            self.emit_atom(f"(?:\\{p[i + 1 : j]})")
            return None
        if d.isalpha() or d.isdigit():
            raise self.error("Illegal/unsupported escape sequence", i + 1)
        return regex_escape(d) if in_class else self.emit_atom(self.literal(d))

    def class_or_atom(self, body: str, in_class: bool) -> str | None:
        if in_class:
            return body if not body.startswith("[") else body
        self.emit_atom(body if body.startswith("[") else f"[{body}]")
        return None

    def simple_class(self, d: str) -> str | None:
        """``\\d \\w \\s \\h \\v`` and their negations, as class bodies ("[^...]" for a negation)."""
        unicode = self.flags.U
        bodies = {
            "d": "\\p{Nd}" if unicode else "0-9",
            "w": "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u200C\\u200D" if unicode else "a-zA-Z_0-9",
            "s": "\\p{White_Space}" if unicode else " \\t\\n\\x0B\\f\\r",
            "h": _HSPACE,
            "v": _VSPACE,
        }
        if d in bodies:
            return bodies[d]
        if d.lower() in bodies and d.isupper():
            return f"[^{bodies[d.lower()]}]"
        return None

    def escaped_char(self, d: str) -> str | None:
        """The character an escape stands for (``\\t``, ``\\x41``, ``\\u0042``, ``\\0101``, ``\\cA``...), or None."""
        p = self.p
        if d in _SIMPLE_ESCAPES:
            return {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "a": "\a", "e": "\x1b"}[d]
        if d == "x":
            if self.i < self.n and p[self.i] == "{":
                close = p.find("}", self.i)
                digits = p[self.i + 1 : close] if close != -1 else ""
                if close == -1 or not digits or not re.fullmatch(r"[0-9a-fA-F]+", digits) or int(digits, 16) > 0x10FFFF:
                    raise self.error("Illegal hexadecimal escape sequence", self.i)
                self.i = close + 1
                return chr(int(digits, 16))
            digits = p[self.i : self.i + 2]
            if not re.fullmatch(r"[0-9a-fA-F]{2}", digits):
                raise self.error("Illegal hexadecimal escape sequence", self.i)
            self.i += 2
            return chr(int(digits, 16))
        if d == "u":
            digits = p[self.i : self.i + 4]
            if not re.fullmatch(r"[0-9a-fA-F]{4}", digits):
                raise self.error("Illegal Unicode escape sequence", self.i)
            self.i += 4
            return chr(int(digits, 16))
        if d == "0":
            m = re.compile(r"[0-3][0-7]{2}|[0-7]{1,2}").match(p, self.i)
            if m is None:
                raise self.error("Illegal octal escape sequence", self.i)
            self.i = m.end()
            return chr(int(m.group(0), 8))
        if d == "c":
            if self.i >= self.n:
                raise self.error("Illegal control escape sequence", self.i)
            self.i += 1
            return chr(ord(p[self.i - 1]) ^ 64)
        return None

    def property(self, negate: bool) -> str:
        """``\\p{Name}``, ``\\pL``, ``\\P{...}``: a class body, or "[^...]" for a negation."""
        p, start = self.p, self.i - 2
        if self.i < self.n and p[self.i] == "{":
            close = p.find("}", self.i)
            if close == -1:
                raise self.error("Unclosed character family", self.n)
            name = p[self.i + 1 : close]
            self.i = close + 1
        elif self.i < self.n:
            name = p[self.i]
            self.i += 1
        else:
            raise self.error("Illegal/unsupported escape sequence", self.n)
        body = _property(name, self.flags.U)
        if body is None:
            raise self.error(f"Unknown character property name {{{name}}}", self.i - 1 if start else self.i)
        return f"[^{body}]" if negate else body

    # -- character classes -----------------------------------------------------------------

    def char_class(self) -> None:
        """``[...]``, with Java's nested classes (union) and ``&&`` (intersection): VERSION1 sets."""
        self.emit_atom(self.class_body())

    def class_body(self) -> str:
        p = self.p
        self.i += 1  # the [
        parts = ["["]
        if self.i < self.n and p[self.i] == "^":
            parts.append("^")
            self.i += 1
        first = True
        while True:
            if self.i >= self.n:
                raise self.error("Unclosed character class", self.n - 1)
            c = p[self.i]
            if c == "]" and not first:
                self.i += 1
                parts.append("]")
                return "".join(parts)
            first = False
            if c == "[":
                parts.append(self.class_body())
            elif c == "\\":
                parts.append(self.escape(in_class=True) or "")
            elif c == "&" and p.startswith("&&", self.i):
                parts.append("&&")
                self.i += 2
            elif self.flags.x and c.isspace():
                self.i += 1
            else:
                # a literal: escape what VERSION1 reads as set syntax (--, ||, ~~, [:)
                parts.append(c if c == "-" and not p.startswith("--", self.i) and parts[-1] != "-" else regex_escape(c))
                self.i += 1

    # -- groups and flags ------------------------------------------------------------------

    def group_open(self) -> None:
        p, i = self.p, self.i
        if p.startswith("(?", i):
            if p.startswith("(?<", i) and i + 3 < self.n and p[i + 3] not in "=!":
                close = p.find(">", i + 3)
                name = p[i + 3 : close] if close != -1 else ""
                if not name or not name[0].isascii() or not name[0].isalpha():
                    raise self.error("capturing group name does not start with a Latin letter", i + 3)
                if close == -1 or not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name):
                    raise self.error("named capturing group is missing trailing '>'", i + 3 + len(name))
                self.push(f"(?P<{name}>", close + 1)
                return
            prefix = _GROUP_PREFIX.match(p, i)
            if prefix is not None:
                self.push(prefix.group(0), prefix.end())
                return
            flags = _INLINE_FLAGS.match(p, i)
            if flags is None:
                raise self.error("Unknown inline modifier", min(i + 2, self.n))
            on, off = flags.group(1), flags.group(2) or ""
            if "u" in on or "U" in on:
                self.unicode_case_anywhere = True
            lib_on, lib_off = _library_flags(on), _library_flags(off)
            written = f"(?{lib_on}{'-' + lib_off if lib_off else ''}" if lib_on or lib_off else ""
            if flags.group(3) == ":":  # (?i:...) scoped flags: a group
                self.push((written or "(?") + ":", flags.end(), self.flags.set(on, off))
            else:  # (?i): from here to the end of the enclosing group, as VERSION1 scopes it
                self.flags = self.flags.set(on, off)
                self.atom = None
                if written:
                    self.out.append(written + ")")
                self.i = flags.end()
            return
        self.push("(", i + 1)

    def push(self, text: str, end: int, flags: _Flags | None = None) -> None:
        self.groups.append((self.flags, len(self.out)))
        if flags is not None:
            self.flags = flags
        self.out.append(text)
        self.atom = None
        self.i = end

    def group_close(self) -> None:
        if not self.groups:
            raise self.error("Unmatched closing ')'", self.i - 1 if self.i else 0)
        saved, start = self.groups.pop()
        self.flags = saved
        self.out.append(")")
        self.atom = start
        self.quantified = False
        self.i += 1

    # -- quantifiers -----------------------------------------------------------------------

    def quantifier(self) -> None:
        p, i, c = self.p, self.i, self.p[self.i]
        if c == "{":
            m = _QUANT.match(p, i)
            if m is None:
                raise self.error("Illegal repetition", i)
            if m.group(3) and int(m.group(3)) < int(m.group(1)):
                raise self.error("Illegal repetition range", i)
            text, end = m.group(0), m.end()
        else:
            text, end = c, i + 1
        if self.atom is None:
            if c == "{":  # Java repeats an empty atom: {2} at the start matches ""
                self.out.append("(?:)")
                self.atom = len(self.out) - 1
            else:
                raise self.error(f"Dangling meta character '{c}'", i)
        elif self.quantified:
            if c != "{":
                raise self.error(f"Dangling meta character '{c}'", i)
            # Java accepts a repetition of a repetition (a{2}{3}) and repeats nothing: a{2}{3} matches "aa"
            self.out.append("(?:)")
        if end < self.n and p[end] in "?+":  # lazy or possessive
            text += p[end]
            end += 1
        self.out.append(text)
        self.quantified = True
        self.i = end


def _library_flags(java: str) -> str:
    """The Java flag the library is given: i (s m d u U x change how constructs are translated instead)."""
    return "".join(dict.fromkeys(f for f in java if f == "i"))


@functools.cache
def _regex_escape_table() -> dict[int, str]:
    special = "\\.^$*+?{}[]()|-&~:#/ \t\n\r\f\v"
    return {
        ord(ch): "\\" + ch
        if ch not in "\t\n\r\f\v"
        else {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f", "\v": "\\x0B"}[ch]
        for ch in special
    }


def regex_escape(ch: str) -> str:
    """One character as a literal in the regex library's VERSION1 syntax (inside or outside a class)."""
    return ch.translate(_regex_escape_table())


def translate(pattern: str) -> str:
    """The regex-library (VERSION1) pattern for a Java regex; raise JavaRegexError where Java rejects it."""
    return _translate(pattern)[0]


@functools.lru_cache(maxsize=4096)
def _translate(pattern: str) -> tuple[str, bool]:
    t = _Translator(pattern)
    text = t.translate()
    return text, t.unicode_case_anywhere


def check(pattern: str) -> JavaRegexError | None:
    """None if Java accepts the pattern, else the error Java raises (its message; the index where known)."""
    try:
        compile_java(pattern)
    except JavaRegexError as exc:
        return exc
    return None


@functools.lru_cache(maxsize=4096)
def compile_java(pattern: str) -> "regex.Pattern[str]":
    """Compile a Java regex for use with ``fullmatch`` (Java's String.matches)."""
    import regex

    text, unicode_case = _translate(pattern)
    try:
        # VERSION1: nested sets, && and scoped inline flags; no full case folding (Java folds simply)
        return regex.compile("(?-f)" + text, regex.V1)
    except regex.error as exc:
        raise JavaRegexError(exc.msg if hasattr(exc, "msg") else str(exc), exc.pos or 0) from None


def matches(pattern: str, text: str) -> bool:
    """Java ``text.matches(pattern)``: the whole text must match."""
    return compile_java(pattern).fullmatch(text) is not None
