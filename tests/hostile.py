"""Hostile inputs and a checker for what they must never turn into.

Not a test module: tests import from here. Two sources of cases:

- ``tests/hostile_inputs.txt``, the project's own list (``#`` lines are category headers);
- every ``.txt`` file in the folder named by ``PORTAL_HOSTILE_CORPUS_DIR``, when set (CI points
  it at the shared corpus, whose files have no comment lines: there a leading ``#`` is a case).

Both use one case per line, UTF-8, with ``\\n``, ``\\r`` and ``\\\\`` standing for a newline, a
carriage return and a backslash.
"""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path

OWN_CASES = Path(__file__).with_name("hostile_inputs.txt")
CORPUS_DIR_VARIABLE = "PORTAL_HOSTILE_CORPUS_DIR"

_ESCAPE_RE = re.compile(r"\\([nr\\])")
_ESCAPES = {"n": "\n", "r": "\r", "\\": "\\"}


def _unescape_case(line: str) -> str:
    # One left-to-right pass, so "\\n" is a backslash then "n", not a newline. Any other
    # backslash is literal, as the corpus format defines no other escapes.
    return _ESCAPE_RE.sub(lambda match: _ESCAPES[match.group(1)], line)


def load_cases(path: str | os.PathLike[str], *, skip_comments: bool = False) -> list[str]:
    """Read one hostile-input file and return its cases, escapes decoded.

    Lines are split on ``\\n`` only: the cases contain characters (vertical tab, form feed,
    U+2028, ...) that ``str.splitlines`` would also treat as line ends. An empty line is a real
    case (empty input); only the empty remainder after a final newline is dropped. With
    ``skip_comments`` lines starting with ``#`` are ignored; use it for our own file only.
    """
    # Bytes, not read_text(): universal-newline decoding would rewrite raw CRs inside cases.
    text = Path(path).read_bytes().decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    cases = []
    for line in lines:
        if skip_comments and line.startswith("#"):
            continue
        # Tolerate a CRLF checkout; a real CR inside a case is always written as "\r".
        cases.append(_unescape_case(line.removesuffix("\r")))
    return cases


def all_hostile_cases() -> list[str]:
    """Return our own cases plus every line of the shared corpus when it is configured.

    Order is kept and duplicates dropped, so test ids stay stable between runs.
    """
    cases = load_cases(OWN_CASES, skip_comments=True)
    corpus_dir = os.environ.get(CORPUS_DIR_VARIABLE)
    if corpus_dir:
        corpus_files = sorted(Path(corpus_dir).glob("*.txt"))
        if not corpus_files:
            # A misconfigured CI variable must not quietly shrink the test run.
            raise FileNotFoundError(f"{CORPUS_DIR_VARIABLE}={corpus_dir!r} holds no .txt files")
        for corpus_file in corpus_files:
            cases.extend(load_cases(corpus_file))
    return list(dict.fromkeys(cases))


FORBIDDEN_ELEMENTS = frozenset(
    {
        "script", "style", "iframe", "object", "embed", "form", "input", "svg", "math", "img",
        "template", "base", "link", "meta",
        # Not executable themselves, but html.parser and browsers disagree about where they
        # end, which is how mutation XSS slips markup past a checker like this one.
        "noscript", "noembed", "noframes", "xmp", "plaintext", "textarea", "title",
        "frame", "frameset", "applet", "button", "select",
    }
)  # fmt: skip
FORBIDDEN_ATTRIBUTE_PREFIXES = ("on", "hx-", "data-hx-")
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "poster", "background"}
)
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")

# What browsers ignore inside a URL scheme (C0 controls, space, tab, newline), plus other
# invisible characters, to err on the side of flagging.
_URL_NOISE_RE = re.compile(r"[\x00-\x20\x7f-\xa0\u200b-\u200f\u2028\u2029\ufeff\s]+")
# A second, parser-independent look: a real "<" followed by a forbidden tag name anywhere in the
# markup (inside an attribute value, a comment, ...) means a different parser may see an element.
_RAW_TAG_RE = re.compile(
    r"<\s*/?\s*(" + "|".join(sorted(FORBIDDEN_ELEMENTS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def _normalise_url(value: str) -> str:
    previous = None
    # Unescape until stable: double-encoded entities must not hide a scheme from us.
    while value != previous:
        previous = value
        value = html.unescape(_URL_NOISE_RE.sub("", value))
    return value.lower()


class _ExecutableFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.forbidden_seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # html.parser already lower-cases tag and attribute names and unescapes values.
        where = f"<{tag}> at line {self.getpos()[0]}"
        if tag in FORBIDDEN_ELEMENTS:
            self.forbidden_seen.add(tag)
            self.problems.append(f"forbidden element {where}")
        for name, value in attrs:
            if name.startswith(FORBIDDEN_ATTRIBUTE_PREFIXES):
                self.problems.append(f"forbidden attribute {name}={value!r} on {where}")
            elif name == "style":
                self.problems.append(f"style attribute {value!r} on {where}")
            elif name in URL_ATTRIBUTES and _normalise_url(value or "").startswith(
                DANGEROUS_SCHEMES
            ):
                self.problems.append(f"dangerous URL {name}={value!r} on {where}")


def assert_no_executable(html_fragment: str) -> None:
    """Fail if an HTML fragment holds anything that could run script or act for the user.

    Pass only the user-content fragment (a rendered comment or post body), never a whole page:
    our own pages legitimately carry ``<script src=…htmx…>``, ``<meta>`` tags and ``hx-*``
    attributes, all of which this check rejects by design.

    Raises AssertionError naming every problem: forbidden elements, ``on*``/``hx-*``/
    ``data-hx-*`` and ``style`` attributes, and URL attributes that resolve to ``javascript:``,
    ``data:`` or ``vbscript:`` after whitespace, control characters and entities are removed.
    """
    finder = _ExecutableFinder()
    finder.feed(html_fragment)
    finder.close()
    problems = finder.problems + [
        f"raw markup {match.group(0)!r} at offset {match.start()} that html.parser did not see"
        " as an element (inside an attribute, comment or end tag?)"
        for match in _RAW_TAG_RE.finditer(html_fragment)
        if match.group(1).lower() not in finder.forbidden_seen
    ]
    if problems:
        shown = html_fragment if len(html_fragment) <= 500 else html_fragment[:500] + "…"
        raise AssertionError(
            "executable content in user HTML:\n  - " + "\n  - ".join(problems) + f"\nin: {shown!r}"
        )
