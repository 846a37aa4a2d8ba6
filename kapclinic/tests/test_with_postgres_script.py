"""`scripts/with-postgres` fails, not skips, when PostgreSQL's server is missing.

A CI machine without PostgreSQL must not pass silently without the tests only
PostgreSQL runs. The script is pointed at an empty directory instead of Debian's
PostgreSQL tree, so these run whether or not PostgreSQL is installed.
"""

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "with-postgres"


@pytest.fixture
def ran(tmp_path):
    """Whether the wrapped command was run."""
    return lambda: (tmp_path / "ran").exists()


@pytest.fixture
def run_without_postgres(tmp_path):
    def run(**env):
        base = {k: v for k, v in os.environ.items() if k not in ("CI", "KAPCLINIC_SKIP_POSTGRES")}
        return subprocess.run(
            [str(SCRIPT), "touch", str(tmp_path / "ran")],
            env={**base, "KAPCLINIC_PG_ROOT": str(tmp_path / "no-postgres"), **env},
            capture_output=True,
            text=True,
            check=False,
        )

    return run


def test_missing_postgres_fails_with_a_clear_message(run_without_postgres, ran):
    result = run_without_postgres()
    assert result.returncode != 0
    assert "PostgreSQL server not installed" in result.stderr
    assert "KAPCLINIC_SKIP_POSTGRES=1" in result.stderr
    assert not ran()


def test_a_developer_may_opt_out_explicitly(run_without_postgres, ran):
    result = run_without_postgres(KAPCLINIC_SKIP_POSTGRES="1")
    assert result.returncode == 0
    assert "skipping the PostgreSQL test run" in result.stderr
    assert not ran()


@pytest.mark.parametrize("ci", ["true", "1"])
def test_the_opt_out_is_ignored_under_ci(run_without_postgres, ci):
    result = run_without_postgres(KAPCLINIC_SKIP_POSTGRES="1", CI=ci)
    assert result.returncode != 0
    assert "ignored under CI" in result.stderr


@pytest.mark.parametrize("value", ["0", "yes", ""])
def test_only_the_exact_opt_out_value_skips(run_without_postgres, value):
    assert run_without_postgres(KAPCLINIC_SKIP_POSTGRES=value).returncode != 0


def test_ci_never_sets_the_opt_out():
    ci_run = (SCRIPT.parents[1] / ".ci" / "run").read_text()
    assert "unset KAPCLINIC_SKIP_POSTGRES" in ci_run
    assert "KAPCLINIC_SKIP_POSTGRES=" not in ci_run
