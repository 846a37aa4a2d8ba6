import secrets
import subprocess
import sys
from pathlib import Path

from kapclinic import checks

BASE_DIR = Path(__file__).resolve().parents[3]


def _check_deploy(tmp_path, **env):
    environ = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "KAPCLINIC_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    key = secrets.token_urlsafe(48)
    assert len(key) == 64
    result = _check_deploy(
        tmp_path, DEBUG="false", SECRET_KEY=key, ALLOWED_HOSTS="clinic.example.org"
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "kapclinic." not in result.stdout + result.stderr


def test_dev_key_with_debug_off_fails_check_deploy(tmp_path):
    result = _check_deploy(tmp_path, DEBUG="false", ALLOWED_HOSTS="clinic.example.org")
    assert result.returncode != 0
    assert "kapclinic.E001" in result.stderr


def test_dev_key_is_fine_when_debugging(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    assert checks.check_secret_key(None) == []


def test_short_key_is_refused(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 49
    assert [e.id for e in checks.check_secret_key(None)] == ["kapclinic.E002"]


def test_long_random_key_is_accepted(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = secrets.token_urlsafe(48)
    assert checks.check_secret_key(None) == []


def test_demo_mode_is_refused_without_debug(settings):
    settings.DEBUG = False
    settings.DEMO_MODE = True
    assert [e.id for e in checks.check_demo_mode(None)] == ["kapclinic.E003"]


def test_demo_mode_is_allowed_with_debug(settings):
    settings.DEBUG = True
    settings.DEMO_MODE = True
    assert checks.check_demo_mode(None) == []


def test_demo_mode_is_allowed_without_debug_on_a_local_server(settings):
    settings.DEBUG = False
    settings.DEMO_MODE = True
    settings.LOCAL_SERVER = True
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    assert checks.check_demo_mode(None) == []
    assert checks.check_local_server(None) == []


def test_a_local_server_answering_other_hosts_is_refused(settings):
    settings.DEBUG = False
    settings.DEMO_MODE = True
    settings.LOCAL_SERVER = True
    settings.ALLOWED_HOSTS = ["127.0.0.1", "clinic.example.org"]
    assert [e.id for e in checks.check_local_server(None)] == ["kapclinic.E005"]
    assert [e.id for e in checks.check_demo_mode(None)] == ["kapclinic.E003"]


def test_make_run_serves_the_demo_with_debug_off():
    makefile = (BASE_DIR / "Makefile").read_text()
    run_env = next(line for line in makefile.splitlines() if line.startswith("RUN_ENV"))
    assert "DEBUG=false" in run_env and "KAPCLINIC_LOCAL_SERVER=true" in run_env


def test_wildcard_host_is_refused_without_debug(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["clinic.example.org", "*"]
    assert [e.id for e in checks.check_allowed_hosts(None)] == ["kapclinic.E004"]


def test_named_hosts_are_accepted(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["clinic.example.org"]
    assert checks.check_allowed_hosts(None) == []
