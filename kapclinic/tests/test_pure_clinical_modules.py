"""The pure clinical modules load without Django or any other app (DESIGN.md layering)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PURE_MODULES = [
    "kapclinic.screening.rules",
    "kapclinic.dosing.monitoring",
    "kapclinic.dosing.discharge",
    "kapclinic.outcomes.instruments",
    "kapclinic.outcomes.change",
    "kapclinic.consent.notices",
    "kapclinic.outcomes.schedules",
]

# A fresh interpreter, so modules other tests loaded do not hide an import.
PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("django", "kapclinic"))))
"""


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_imports_no_django_and_no_other_app(module):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, module], capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    app = module.split(".")[1]
    assert not [name for name in loaded if name.startswith("django")]
    others = [
        name
        for name in loaded
        if name.count(".") >= 1
        and name.split(".")[1] != app
        and name not in ("kapclinic.lib", "kapclinic.lib.field_error")
    ]
    assert others == []
