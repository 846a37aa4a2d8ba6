"""The repository's documents link only to files that exist in it."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_at_files_in_the_repository(document):
    missing = [
        target
        for target in LINK.findall(document.read_text())
        if "://" not in target and not (document.parent / target).exists()
    ]
    assert missing == []


def test_the_readme_links_the_docs():
    readme = (ROOT / "README.md").read_text()
    for name in ("architecture.md", "clinical-rules.md", "api.md"):
        assert f"(docs/{name})" in readme
