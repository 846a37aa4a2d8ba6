import pytest

from kapclinic.content.markdown import render_markdown


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
