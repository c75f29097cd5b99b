"""The user-content policy in portal.sanitize, tried against hostile and ordinary input."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from portal.sanitize import (
    COMMENT_TAGS,
    LINK_REL,
    POST_TAGS,
    count_links,
    plain_excerpt,
    render_markdown,
    render_post_markdown,
)

try:
    from helpers import first_element
    from hostile import (
        CORPUS_DIR_VARIABLE,
        OWN_CASES,
        all_hostile_cases,
        assert_no_executable,
        load_cases,
    )
except ImportError:  # tests/ turned into a package: pytest then imports us as tests.test_sanitize
    from tests.helpers import first_element
    from tests.hostile import (
        CORPUS_DIR_VARIABLE,
        OWN_CASES,
        all_hostile_cases,
        assert_no_executable,
        load_cases,
    )

HOSTILE_CASES = all_hostile_cases()
HOSTILE_IDS = [f"case{index:04d}" for index in range(len(HOSTILE_CASES))]


class _Fragment(HTMLParser):
    """What a browser would build from a fragment: elements with attributes, and the text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    @property
    def text(self) -> str:
        return "".join(self._text)

    def links(self) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == "a"]

    def tags(self) -> set[str]:
        return {tag for tag, _ in self.elements}


def _assert_within_policy(html: str, allowed_tags: frozenset[str]) -> None:
    fragment = _Fragment(html)
    assert fragment.tags() <= allowed_tags, f"tags outside the allowlist in {html!r}"
    for tag, attrs in fragment.elements:
        allowed_attributes = {"href", "rel"} if tag == "a" else set()
        assert set(attrs) <= allowed_attributes, f"attributes {sorted(attrs)} on <{tag}>"
    for attrs in fragment.links():
        href = attrs.get("href") or ""
        assert href.lower().startswith(("http:", "https:", "mailto:")), f"href {href!r}"
        assert attrs.get("rel") == LINK_REL


# --- every hostile input, through both policies ---


@pytest.mark.parametrize("case", HOSTILE_CASES, ids=HOSTILE_IDS)
def test_hostile_input_renders_nothing_executable_in_a_comment(case: str) -> None:
    html = render_markdown(case)
    assert_no_executable(html)
    _assert_within_policy(html, COMMENT_TAGS)
    if case.strip():
        # Nothing a user typed disappears without trace.
        assert _Fragment(html).text.strip(), f"{case[:80]!r} rendered to no text"


@pytest.mark.parametrize("case", HOSTILE_CASES, ids=HOSTILE_IDS)
def test_hostile_input_renders_nothing_executable_in_a_post(case: str) -> None:
    html = render_post_markdown(case)
    assert_no_executable(html)
    _assert_within_policy(html, POST_TAGS)
    if case.strip():
        fragment = _Fragment(html)
        # A line of "***" is a horizontal rule in a post: visible output without text.
        assert fragment.text.strip() or "hr" in fragment.tags(), f"{case[:80]!r} rendered empty"


def test_the_hostile_list_is_big_enough_to_mean_something() -> None:
    own = load_cases(OWN_CASES, skip_comments=True)
    assert len(own) >= 170
    assert "" in own, "the empty comment is a case too"
    assert any(len(case) >= 4900 for case in own), "a case near the 5,000 character limit"


# --- links ---


def test_markdown_link_gets_exactly_our_rel() -> None:
    links = _Fragment(render_markdown("Read [the leaflet](https://example.org/leaflet)")).links()
    assert links == [{"href": "https://example.org/leaflet", "rel": LINK_REL}]


def test_bare_urls_are_linkified_with_exactly_our_rel() -> None:
    html = render_markdown("Trial details: https://example.org/trial and www.example.org/faq")
    links = _Fragment(html).links()
    assert links == [
        {"href": "https://example.org/trial", "rel": LINK_REL},
        {"href": "http://www.example.org/faq", "rel": LINK_REL},
    ]


def test_autolink_gets_exactly_our_rel() -> None:
    links = _Fragment(render_markdown("<https://example.org/a>")).links()
    assert links == [{"href": "https://example.org/a", "rel": LINK_REL}]


@pytest.mark.parametrize(
    "source, href",
    [
        ("[site](http://example.org/)", "http://example.org/"),
        ("[site](https://example.org/a?b=1&c=2)", "https://example.org/a?b=1&c=2"),
        ("[write to us](mailto:nurse@example.org)", "mailto:nurse@example.org"),
        ("<mailto:nurse@example.org>", "mailto:nurse@example.org"),
    ],
)
def test_http_https_and_mailto_links_are_kept(source: str, href: str) -> None:
    links = _Fragment(render_markdown(source)).links()
    assert [link["href"] for link in links] == [href]


@pytest.mark.parametrize(
    "source",
    [
        "[leaflet](javascript:alert(1))",
        "[leaflet](JaVaScRiPt:alert(1))",
        "[leaflet](jav&#x61;script:alert(1))",
        "[leaflet](javascript&#58;alert(1))",
        "[leaflet](<java\tscript:alert(1)>)",
        "[leaflet](data:text/html;base64,PHNjcmlwdD4=)",
        "[leaflet](vbscript:msgbox(1))",
        "[leaflet][ref]\n\n[ref]: javascript:alert(1)",
        "[leaflet](//evil.example/)",
        "[leaflet](/admin/users)",
    ],
)
def test_links_with_other_schemes_are_removed_and_their_text_kept(source: str) -> None:
    html = render_markdown(source)
    fragment = _Fragment(html)
    assert fragment.links() == []
    assert "leaflet" in fragment.text
    assert_no_executable(html)


def test_a_refused_link_stays_text_and_only_a_web_address_inside_it_is_linked() -> None:
    fragment = _Fragment(render_markdown("[leaflet](ftp://example.org/file)"))
    assert fragment.text == "[leaflet](ftp://example.org/file)"
    # The user did type a domain; linkify treats it like any bare address, over http.
    assert [link["href"] for link in fragment.links()] == ["http://example.org/file"]


@pytest.mark.parametrize(
    "source", ["<javascript:alert(1)>", "<vbscript:msgbox(1)>", "<data:text/html,hi>"]
)
def test_autolinks_with_other_schemes_stay_text(source: str) -> None:
    fragment = _Fragment(render_markdown(source))
    assert fragment.links() == []
    assert fragment.text.strip() == source


def test_email_addresses_are_not_turned_into_links() -> None:
    fragment = _Fragment(render_markdown("reach me at jane.doe@example.org"))
    assert fragment.links() == []
    assert "jane.doe@example.org" in fragment.text


def test_an_empty_link_shows_where_it_goes() -> None:
    links = _Fragment(render_markdown("[](https://example.org/x)")).links()
    assert links == [{"href": "https://example.org/x", "rel": LINK_REL}]
    assert "https://example.org/x" in _Fragment(render_markdown("[](https://example.org/x)")).text


def test_urls_inside_code_are_not_linkified() -> None:
    html = render_markdown("`https://example.org/x`")
    assert html == "<p><code>https://example.org/x</code></p>"


# --- raw HTML and plain text ---


def test_raw_html_is_shown_as_escaped_text() -> None:
    html = render_markdown('<b onclick="x()">hi</b> <script>alert(1)</script>')
    assert html == (
        "<p>&lt;b onclick=&quot;x()&quot;&gt;hi&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    assert _Fragment(html).tags() == {"p"}


def test_htmx_attributes_typed_by_a_user_stay_text() -> None:
    html = render_markdown('<div hx-get="/admin" hx-trigger="load">x</div>')
    fragment = _Fragment(html)
    assert fragment.tags() == {"p"}
    assert fragment.text == '<div hx-get="/admin" hx-trigger="load">x</div>'


@pytest.mark.parametrize(
    "text",
    [
        "{{7*7}}",
        "{% if user %}hi{% endif %}",
        "${x} and #{y}",
        "I <3 my care team",
        "a < b and c > d",
        "Tom & Jerry",
        "👨‍👩‍👧‍👦 👩🏽‍⚕️ ❤️‍🩹",
        "هل يمكنني تناول الدواء مع الطعام؟",
        "האם יש תופעות לוואי?",
        "e\u0301 Z\u0351a\u0352l\u0353g\u0354o",
        "Dose: 5\u202e01\u202c mg",
    ],
)
def test_plain_text_round_trips_readably(text: str) -> None:
    for render in (render_markdown, render_post_markdown):
        assert _Fragment(render(text)).text.strip() == text


def test_template_syntax_is_not_evaluated() -> None:
    assert render_markdown("{{7*7}}") == "<p>{{7*7}}</p>"
    assert "49" not in render_markdown("{{7*7}}")


# --- the formatting users may use ---


def test_emphasis_renders() -> None:
    assert render_markdown("*careful* and **important**") == (
        "<p><em>careful</em> and <strong>important</strong></p>"
    )


def test_lists_render() -> None:
    assert render_markdown("- one\n- two") == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    assert render_markdown("1. first\n2. second") == (
        "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"
    )


def test_blockquote_renders() -> None:
    assert render_markdown("> my doctor said") == (
        "<blockquote>\n<p>my doctor said</p>\n</blockquote>"
    )


def test_code_renders_escaped() -> None:
    assert render_markdown("`a<b`") == "<p><code>a&lt;b</code></p>"
    assert render_markdown("```\n<tag>\n```") == "<pre><code>&lt;tag&gt;\n</code></pre>"


def test_a_newline_in_a_comment_is_a_line_break() -> None:
    assert render_markdown("first line\nsecond line") == "<p>first line<br>\nsecond line</p>"


def test_images_are_not_rendered_as_images() -> None:
    html = render_markdown("![my scan](https://example.org/scan.png)")
    fragment = _Fragment(html)
    assert "img" not in fragment.tags()
    assert fragment.links() == [{"href": "https://example.org/scan.png", "rel": LINK_REL}]
    assert fragment.text == "my scan"


def test_image_alt_text_is_escaped_once() -> None:
    html = render_markdown("![a<b & c](https://example.org/i.png)")
    paragraph = first_element(html)
    assert (paragraph.name, paragraph.attrs, paragraph.next_sibling) == ("p", {}, None)
    (link,) = paragraph.contents
    assert (link.name, link.attrs) == (
        "a",
        {"href": "https://example.org/i.png", "rel": ["nofollow", "ugc", "noopener", "noreferrer"]},
    )
    assert link.contents == ["a<b & c"]  # escaped once: it reads back as it was typed


def test_images_with_unsafe_sources_stay_text() -> None:
    html = render_markdown("![x](javascript:alert(1)) ![y](data:image/png;base64,AAAA)")
    fragment = _Fragment(html)
    assert fragment.tags() == {"p"}
    assert fragment.links() == []


def test_comments_have_no_headings_tables_or_rules() -> None:
    html = render_markdown("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---")
    assert _Fragment(html).tags() <= {"p", "br"}
    assert "# Title" in _Fragment(html).text


def test_posts_allow_headings_rules_and_tables() -> None:
    html = render_post_markdown("## Dosing\n\n| dose | when |\n|:--|--:|\n| 5 mg | daily |\n\n---")
    fragment = _Fragment(html)
    assert {"h2", "table", "thead", "tbody", "tr", "th", "td", "hr"} <= fragment.tags()
    # Alignment comes as style="" from markdown-it and must not survive.
    assert all(not attrs for tag, attrs in fragment.elements if tag in {"th", "td"})


def test_post_headings_are_clamped_to_h2_to_h4_without_ids() -> None:
    html = render_post_markdown("# Top\n\n###### Deep")
    assert html == "<h2>Top</h2>\n<h4>Deep</h4>"


def test_posts_keep_the_same_link_rules() -> None:
    html = render_post_markdown("[a](https://example.org) [b](javascript:alert(1)) ![c](x.png)")
    fragment = _Fragment(html)
    assert fragment.links() == [{"href": "https://example.org", "rel": LINK_REL}]
    assert "img" not in fragment.tags()


# --- count_links ---


def test_count_links_counts_markdown_autolinks_and_bare_urls() -> None:
    source = (
        "See [the trial](https://example.org/trial), <https://example.org/faq>, "
        "https://example.org/bare and www.example.org/www"
    )
    assert count_links(source) == 4


def test_count_links_ignores_removed_links_and_code() -> None:
    source = "[x](javascript:alert(1)) `https://example.org` plain text"
    assert count_links(source) == 0


def test_count_links_of_plain_text_is_zero() -> None:
    assert count_links("no links here, just worries") == 0


# --- plain_excerpt ---


def test_plain_excerpt_strips_tags_and_collapses_whitespace() -> None:
    html = render_markdown("**Bold** start\n\n- one\n- two\n\n> quoted &amp; escaped")
    assert plain_excerpt(html) == "Bold start one two quoted & escaped"


def test_plain_excerpt_cuts_at_a_word_boundary() -> None:
    html = "<p>alpha beta gamma delta epsilon</p>"
    excerpt = plain_excerpt(html, limit=20)
    assert excerpt == "alpha beta gamma…"
    assert len(excerpt) <= 20


def test_plain_excerpt_leaves_short_text_alone() -> None:
    assert plain_excerpt("<p>short</p>", limit=240) == "short"


def test_plain_excerpt_does_not_run_words_together_across_blocks() -> None:
    assert plain_excerpt("<p>end</p><p>start</p>") == "end start"


def test_plain_excerpt_never_exceeds_the_limit_for_one_long_word() -> None:
    excerpt = plain_excerpt("<p>" + "x" * 500 + "</p>", limit=50)
    assert len(excerpt) == 50
    assert excerpt.endswith("…")


def test_plain_excerpt_drops_script_text() -> None:
    assert plain_excerpt("<p>hi</p><script>alert(1)</script>") == "hi"


# --- the checker itself ---


@pytest.mark.parametrize(
    "html",
    [
        "<img src=x onerror=alert(1)>",
        '<a href="jav&#x61;script:x">x</a>',
        '<div hx-get="/x">x</div>',
        '<div data-hx-post="/x">x</div>',
        '<p style="color:red">x</p>',
        '<a href=" \tdata:text/html,x">x</a>',
        '<a href="VBSCRIPT:x">x</a>',
        "<svg></svg>",
        '<p title="</noscript><img src=x onerror=alert(1)>">x</p>',
    ],
)
def test_assert_no_executable_catches_executable_html(html: str) -> None:
    with pytest.raises(AssertionError):
        assert_no_executable(html)


def test_assert_no_executable_passes_safe_html() -> None:
    assert_no_executable('<p>hi <a href="https://x" rel="nofollow">x</a></p>')
    assert_no_executable("<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=x</p>")


def test_assert_no_executable_message_names_the_problem() -> None:
    with pytest.raises(AssertionError, match="onerror"):
        assert_no_executable("<img src=x onerror=alert(1)>")


# --- reading the case files ---


def test_load_cases_decodes_escapes_and_keeps_other_backslashes(tmp_path) -> None:
    cases_file = tmp_path / "cases.txt"
    cases_file.write_bytes(b"a\\nb\nc\\rd\ne\\\\n\n\\x00\n\n# not a comment\n")
    decoded = ["a\nb", "c\rd", "e\\n", "\\x00", ""]
    assert load_cases(cases_file) == [*decoded, "# not a comment"]
    assert load_cases(cases_file, skip_comments=True) == decoded


def test_load_cases_splits_on_newlines_only(tmp_path) -> None:
    cases_file = tmp_path / "cases.txt"
    cases_file.write_bytes("form\x0cfeed\u2028x\n".encode())
    assert load_cases(cases_file) == ["form\x0cfeed\u2028x"]


def test_all_hostile_cases_adds_the_shared_corpus(tmp_path, monkeypatch) -> None:
    (tmp_path / "extra.txt").write_text("#hash case from the corpus\nshared one\n", "utf-8")
    monkeypatch.setenv(CORPUS_DIR_VARIABLE, str(tmp_path))
    cases = all_hostile_cases()
    assert "#hash case from the corpus" in cases
    assert "shared one" in cases
    monkeypatch.delenv(CORPUS_DIR_VARIABLE)
    assert "shared one" not in all_hostile_cases()


def test_post_tables_scroll_inside_a_labelled_region() -> None:
    html = render_post_markdown("| dose | when |\n|---|---|\n| 12 mg | day 1-5 |")
    region = first_element(html)
    assert (region.name, region.attrs) == (
        "div",
        {"class": ["table-wrap"], "role": "region", "aria-label": "Table", "tabindex": "0"},
    )
    assert region.contents[-1].name == "table" and region.next_sibling is None
    assert "table-wrap" not in render_markdown("| a |\n|---|\n| b |")
