"""The user-content policy: Markdown in, safe HTML out.

Everything a user writes with formatting (comments, clinicians' posts) goes through this module
and nowhere else. The pipeline has two independent layers so that a mistake in one is caught by
the other:

1. markdown-it-py renders a small CommonMark subset with raw HTML switched off, so any markup the
   user types comes out as escaped text rather than as elements.
2. Bleach re-parses that HTML with an allowlist of tags, attributes and URL schemes, then its
   LinkifyFilter turns bare URLs into links and stamps every link with our ``rel``.

The result is meant to be stored at write time (the read path never calls Bleach). Bump
``POLICY_VERSION`` whenever the output for some input could change, so a re-render command can
tell stored HTML that predates the current policy.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import partial
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from bleach.linkifier import LinkifyFilter, build_url_re
from bleach.sanitizer import Cleaner
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

__all__ = [
    "LINK_REL",
    "POLICY_VERSION",
    "count_links",
    "plain_excerpt",
    "plain_text",
    "render_markdown",
    "render_post_markdown",
]

POLICY_VERSION = 1

LINK_REL = "nofollow ugc noopener noreferrer"

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

COMMENT_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre", "a"}
)
POST_TAGS = COMMENT_TAGS | {"h2", "h3", "h4", "hr", "table", "thead", "tbody", "tr", "th", "td"}

# `rel` is deliberately absent: the linkify callback writes it after sanitizing, so nothing the
# user supplies can influence it.
ALLOWED_ATTRIBUTES = {"a": ["href"]}

# Bare text is only linkified for web URLs; anything else stays text and never becomes a link.
_BARE_URL_RE = build_url_re(protocols=["http", "https"])

# Linkifying inside code would change what a user meant to show literally.
_NO_LINKIFY_INSIDE = {"pre", "code"}


@dataclass(frozen=True)
class _Policy:
    """One variant of the policy; comments and posts differ only in these fields."""

    name: str
    tags: frozenset[str]
    # Markdown block rules switched on or off on top of the CommonMark preset.
    enable_rules: tuple[str, ...]
    disable_rules: tuple[str, ...]
    # Patients type into a plain textarea and expect a newline to stay a newline.
    hard_line_breaks: bool
    # Headings are clamped into the allowed range instead of being unwrapped to bare text.
    clamp_headings: bool


_COMMENT_POLICY = _Policy(
    name="comment",
    tags=COMMENT_TAGS,
    enable_rules=(),
    # Without these rules "# I'm worried" or a line of dashes stays the text the user typed
    # instead of turning into an element we would only strip again.
    disable_rules=("heading", "lheading", "hr"),
    hard_line_breaks=True,
    clamp_headings=False,
)

_POST_POLICY = _Policy(
    name="post",
    tags=POST_TAGS,
    enable_rules=("table",),
    disable_rules=(),
    hard_line_breaks=False,
    clamp_headings=True,
)


def _render_image_as_link(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # No images in user content (tracking pixels, hotlinking, layout abuse), but the reader
    # still gets to the picture through an ordinary link, which Bleach then vets like any other.
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    label = self.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{escape(src)}">{escape(label, quote=False)}</a>'


def _clamp_heading_levels(state: StateCore) -> None:
    # The page title owns <h1>; h5/h6 add nothing readers need.
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            token.tag = f"h{min(max(level, 2), 4)}"


def _keep_text_past_nesting_limit(
    state: StateBlock, start_line: int, end_line: int, silent: bool
) -> bool:
    # markdown-it silently discards whatever is nested deeper than maxNesting (its guard against
    # runaway recursion). Just above that depth we take the rest of the container as one plain
    # paragraph instead, so "> > > … text" keeps its text and the recursion limit still holds.
    # Two levels of margin because a list opens two (list and item) before recursing.
    if silent or state.level < state.md.options.maxNesting - 2:
        return False
    token = state.push("paragraph_open", "p", 1)
    token.map = [start_line, end_line]
    token = state.push("inline", "", 0)
    token.content = state.getLines(start_line, end_line, state.blkIndent, False).strip()
    token.map = [start_line, end_line]
    token.children = []
    state.push("paragraph_close", "p", -1)
    state.line = end_line
    return True


def _build_markdown(policy: _Policy) -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        # html=False is what makes typed tags come out as text; markdown-it's own linkify needs
        # an extra package and Bleach already does that job.
        {"html": False, "linkify": False, "typographer": False, "breaks": policy.hard_line_breaks},
    )
    if policy.enable_rules:
        md.enable(list(policy.enable_rules))
    if policy.disable_rules:
        md.disable(list(policy.disable_rules))
    # A link to a refused scheme then stays the literal Markdown the user typed, so nothing they
    # wrote silently vanishes (and a bare URL inside it can still be linkified).
    md.validateLink = _has_allowed_scheme
    md.add_render_rule("image", _render_image_as_link)
    first_block_rule = md.block.ruler.get_all_rules()[0]
    md.block.ruler.before(
        first_block_rule, "keep_text_past_nesting_limit", _keep_text_past_nesting_limit
    )
    if policy.clamp_headings:
        md.core.ruler.push("clamp_heading_levels", _clamp_heading_levels)
    return md


def _has_allowed_scheme(href: str) -> bool:
    # Relative and protocol-relative URLs are refused too: "/\evil.example" and "//evil.example"
    # leave the site in some browsers, and users can always paste a full URL.
    try:
        scheme = urlsplit(href).scheme
    except ValueError:
        return False
    return scheme.lower() in ALLOWED_SCHEMES


# Bleach's callback attributes: (namespace, name) keys, plus the link text under "_text".
_LinkAttrs = dict[tuple[str | None, str] | str, str]


def _link_attributes(attrs: _LinkAttrs, is_new: bool) -> _LinkAttrs | None:
    # Runs for every link in the output, Markdown-made and linkified alike. LinkifyFilter runs
    # after the sanitizer, so links it creates are only checked here. Returning None unwraps the
    # link and leaves its text.
    href = attrs.get((None, "href"))
    if not href or not _has_allowed_scheme(href):
        return None
    attrs[(None, "rel")] = LINK_REL
    if not str(attrs.get("_text", "")).strip():
        # An invisible link ("[](https://…)") would be clickable without saying where it goes.
        attrs["_text"] = href
    return attrs


def _build_cleaner(policy: _Policy) -> Cleaner:
    return Cleaner(
        tags=policy.tags,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_SCHEMES,
        # Markdown can still produce tags a policy does not allow (an <hr> in a comment, say);
        # stripping unwraps them and keeps their text, escaping would show markup to readers.
        strip=True,
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter,
                callbacks=[_link_attributes],
                skip_tags=_NO_LINKIFY_INSIDE,
                # Email addresses stay text: people paste their own and should not get a
                # ready-made mail link to themselves published.
                parse_email=False,
                url_re=_BARE_URL_RE,
            )
        ],
    )


_MARKDOWN = {policy.name: _build_markdown(policy) for policy in (_COMMENT_POLICY, _POST_POLICY)}

# Bleach's Cleaner keeps parser state between calls, so each thread gets its own.
_cleaners = threading.local()


def _cleaner_for(policy: _Policy) -> Cleaner:
    cleaner: Cleaner | None = getattr(_cleaners, policy.name, None)
    if cleaner is None:
        cleaner = _build_cleaner(policy)
        setattr(_cleaners, policy.name, cleaner)
    return cleaner


def _render(source: str, policy: _Policy) -> str:
    html = _MARKDOWN[policy.name].render(source)
    return _cleaner_for(policy).clean(html).strip()


def render_markdown(source: str) -> str:
    """Render a comment's Markdown to safe HTML, ready to store and display as-is.

    Allowed: paragraphs, line breaks, emphasis, lists, block quotes, code and links to http,
    https and mailto URLs. Typed HTML is shown as text; images become plain links; bare URLs are
    linkified; every link gets ``rel="nofollow ugc noopener noreferrer"``. A link to any other
    scheme, or a relative one, never becomes a link: what the user typed stays visible as text.
    """
    return _render(source, _COMMENT_POLICY)


# A wide table scrolls inside its own focusable region instead of making the page scroll
# sideways on a phone. Added after cleaning, so the wrapper is ours, never the writer's.
_TABLE_WRAPPER = '<div class="table-wrap" role="region" aria-label="Table" tabindex="0"><table>'


def _wrap_tables(html: str) -> str:
    return html.replace("<table>", _TABLE_WRAPPER).replace("</table>", "</table></div>")


def render_post_markdown(source: str) -> str:
    """Render a clinician's post: the comment policy plus headings, rules and tables.

    Headings come out as h2-h4 without ids (``#`` becomes h2, the page title is the h1);
    everything else, including the link rules and the absence of images and raw HTML, is the
    same as :func:`render_markdown`.
    """
    return _wrap_tables(_render(source, _POST_POLICY))


class _LinkCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and any(name == "href" and value for name, value in attrs):
            self.links += 1


def count_links(source: str) -> int:
    """Return how many links a comment's Markdown source renders to.

    Pass the Markdown source, not stored HTML. Counting happens on the rendered HTML, so
    Markdown links, autolinks, images-turned-links and linkified bare URLs all count, and links
    the policy refused do not.
    """
    counter = _LinkCounter()
    counter.feed(render_markdown(source))
    counter.close()
    return counter.links


# Elements after which words must not run together once the tags are gone.
_BREAKING_TAGS = frozenset(
    {
        "p", "br", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "table", "thead", "tbody", "tr", "th", "td", "div",
    }
)  # fmt: skip
# Defensive: the input should be our own output, but an excerpt must never show code.
_INVISIBLE_TAGS = frozenset({"script", "style", "template"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden_depth += 1
        elif tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden_depth = max(self._hidden_depth - 1, 0)
        elif tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


_TRAILING_PUNCTUATION = " \t,;:-\u2013\u2014"


def joins_previous(char: str) -> bool:
    # Cutting before one of these would split a grapheme (accent, ZWJ emoji, skin tone).
    return (
        unicodedata.combining(char) != 0
        or unicodedata.category(char) in ("Mn", "Me")
        or char in "\u200d\ufe0e\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def plain_text(html: str) -> str:
    """Return the text readers see in an HTML fragment, whitespace collapsed, uncut.

    Plain, unescaped text: escape it before it goes back into a page, never mark it safe.
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())


def plain_excerpt(html: str, limit: int = 240) -> str:
    """Return the text of an HTML fragment, whitespace collapsed, at most ``limit`` characters.

    A longer text is cut at the last word boundary that fits and ends with "…". The result is
    plain, unescaped text: let Jinja escape it, never mark it safe.
    """
    text = plain_text(html)
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]

    room = limit - 1  # one character is kept for the ellipsis
    cut = text[:room]
    if not text[room].isspace():
        boundary = cut.rfind(" ")
        if boundary > 0:
            cut = cut[:boundary]
        else:
            # One very long word: cut inside it, but not inside a grapheme.
            end = room
            while end > 1 and joins_previous(text[end]):
                end -= 1
            cut = text[:end]
    return cut.rstrip(_TRAILING_PUNCTUATION) + "…"
