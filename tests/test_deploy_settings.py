"""Production configuration (docs/deploy.md): no public secret key, HTTPS, HSTS, a Content-Security-Policy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
# The production environment documented in docs/deploy.md ("Security settings"), less the database.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k4V9-test-only-a-long-random-secret-key-of-fifty-or-more-characters-x7Qz",
    "ALLOWED_HOSTS": "phongtrao.example.vn",
    "CSRF_TRUSTED_ORIGINS": "https://phongtrao.example.vn",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto,https",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "1",
}


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """A fresh process with only ``env`` (and the paths it needs): not the test process's settings."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    base.update({"PHONGTRAO_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}, **env)
    return subprocess.run([sys.executable, "-m", "phongtrao", *args], env=base, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def test_without_secret_key_and_debug_off_the_server_refuses_to_start(tmp_path: Path) -> None:
    done = run(["check"], {"DEBUG": "0"}, tmp_path)
    assert done.returncode == 2
    assert "SECRET_KEY is not set" in done.stderr and "Traceback" not in done.stderr
    # The WSGI entry point (what a production server loads) refuses too.
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "DEBUG": "0", "PHONGTRAO_DATA_DIR": str(tmp_path)}
    wsgi = subprocess.run([sys.executable, "-c", "import phongtrao.wsgi"], env=base, cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert wsgi.returncode != 0 and "SECRET_KEY is not set" in wsgi.stderr


def test_debug_on_still_starts_without_a_key_for_development(tmp_path: Path) -> None:
    assert run(["check"], {"DEBUG": "1"}, tmp_path).returncode == 0


def test_check_deploy_is_clean_in_the_documented_production_configuration(tmp_path: Path) -> None:
    done = run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_documented_configuration_matches_the_deploy_doc() -> None:
    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for name, value in PRODUCTION_ENV.items():
        if name != "SECRET_KEY":
            assert f"{name}={value}" in doc, name


def test_production_settings_redirect_to_https_behind_the_proxy(tmp_path: Path) -> None:
    code = ("from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, "
            "s.SESSION_COOKIE_SECURE)")
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "PHONGTRAO_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "phongtrao.settings", **PRODUCTION_ENV}
    done = subprocess.run([sys.executable, "-c", code], env=base, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.split() == ["True", "('HTTP_X_FORWARDED_PROTO',", "'https')", "31536000", "True"], done.stderr


def test_pages_carry_the_content_security_policy(client: Client, make_user: Any) -> None:
    client.force_login(make_user("admin"))
    response = client.get(reverse("imports:index"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no inline scripts, no eval
    assert directives["style-src-elem"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    # htmx must not inject its own <style> element (the policy would refuse it).
    assert '"includeIndicatorStyles": false' in response.content.decode()


@pytest.mark.browser
def test_htmx_upload_works_under_the_policy_without_violations(live_server: Any, page: Any, make_user: Any,
                                                                official_register: None, tmp_path: Path,
                                                                settings: Any) -> None:
    from django.utils import timezone

    from phongtrao.accounts.models import Role
    from phongtrao.units.models import Unit
    from tests.conftest import PASSWORD

    settings.DATA_DIR = tmp_path
    da_nang = Unit.objects.with_code("48", timezone.localdate()).get()
    make_user("canbo.danang", Role.PROVINCE_OFFICER, unit=da_nang)
    commune = Unit.objects.filter(parent=da_nang).valid_on(timezone.localdate()).first()
    assert commune is not None
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("#id_username", "canbo.danang")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}{reverse('imports:upload', args=['units'])}")
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(f"code,name,kind,parent_code\nCSP1,Khu dân cư CSP,residential_area,{commune.code}\n",
                        encoding="utf-8")
    page.set_input_files("input[type=file]", str(csv_file))
    page.locator("#import-result").wait_for(state="attached")
    page.click("form[hx-post] button[type=submit]")
    page.get_by_text("CSP1").first.wait_for()
    assert "htmx-indicator" in page.content()
    # htmx itself (requests, swaps, indicators) causes no violation. The inline ``onchange`` handlers still in
    # some templates (the language menu) are being moved to static files on the pages branch; once merged,
    # this filter can go.
    assert [v for v in violations if "inline event handler" not in v] == []
