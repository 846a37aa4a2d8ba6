"""Nothing but the pathway actions writes `Patient.stage` (demo data sets it at creation)."""

from __future__ import annotations

import re
from pathlib import Path

import kapclinic

ROOT = Path(kapclinic.__file__).parent
WRITES = re.compile(r"\.stage\s*=(?!=)|update\([^)]*\bstage\s*=")
ALLOWED = {ROOT / "treatment" / "actions.py"}


def test_only_the_pathway_actions_write_the_stage() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if path not in ALLOWED
        and "tests" not in path.parts
        and "migrations" not in path.parts
        and not path.name.startswith("demo")
        and WRITES.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
