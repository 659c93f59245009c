"""deploy/: the Caddyfile is read by Debian's caddy; the compose files and the systemd unit
agree with the image, the settings and each other. (Neither Docker nor systemd runs here; the
proxied https test, test_https.py, runs this Caddyfile for real.)"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from interlude.core.settings import Settings
from tests.packaging.conftest import ROOT

DEPLOY = ROOT / "deploy"
SETTINGS = {f"INTERLUDE_{name.upper()}" for name in Settings.model_fields}


def caddy() -> str:
    found = shutil.which("caddy")
    assert found, "caddy is not installed: apt-get install -y caddy (make system-deps)"
    return found


def adapt(**env: str) -> dict[str, Any]:
    done = subprocess.run(
        [caddy(), "adapt", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
        env={"PATH": os.environ["PATH"], "HOME": str(ROOT), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout))


def _site(config: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    (server,) = config["apps"]["http"]["servers"].values()
    (route,) = server["routes"]
    return route["match"][0]["host"], route["handle"][0]["routes"]


def test_the_caddyfile_serves_the_domain_over_https_and_proxies_to_interlude():
    hosts, routes = _site(adapt(INTERLUDE_DOMAIN="breaks.quiet-practice.net"))
    assert hosts == ["breaks.quiet-practice.net"]  # a named host: Caddy gets its certificate
    proxy = next(h for r in routes for h in r["handle"] if h["handler"] == "reverse_proxy")
    assert proxy["upstreams"] == [{"dial": "127.0.0.1:8000"}]  # interlude.service's address
    blocked = next(r for r in routes if r.get("match") == [{"path": ["/metrics"]}])
    assert blocked["handle"] == [{"handler": "static_response", "status_code": 404}]

    _, routes = _site(adapt(INTERLUDE_DOMAIN="x.quiet-practice.net", INTERLUDE_UPSTREAM="api:8000"))
    proxy = next(h for r in routes for h in r["handle"] if h["handler"] == "reverse_proxy")
    assert proxy["upstreams"] == [{"dial": "api:8000"}]


def _compose(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / name).read_text()))


def _interlude_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in compose["services"].items() if s.get("image") == "interlude:latest"}


@pytest.mark.parametrize("name", ["compose.yaml", "compose.postgres.yaml"])
def test_compose_files_put_interlude_behind_caddy_only(name):
    compose = _compose(name)
    services = _interlude_services(compose)
    assert services
    for service_name, service in services.items():
        assert "ports" not in service, service_name  # reachable through Caddy only
        assert service["build"] == ".."
        unknown = {k for k in service["environment"] if k.startswith("INTERLUDE_")} - SETTINGS
        assert not unknown, (service_name, unknown)
        assert service["environment"]["INTERLUDE_BASE_URL"].startswith("https://")
    caddy_service = compose["services"]["caddy"]
    assert {"80:80", "443:443"} <= set(caddy_service["ports"])
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy_service["volumes"]
    upstream = caddy_service["environment"]["INTERLUDE_UPSTREAM"]
    assert upstream.split(":")[0] in services
    # Forwarded headers are believed from Caddy's network only, which the upstream shares.
    (web,) = compose["networks"]["web"]["ipam"]["config"]
    upstream_service = services[upstream.split(":")[0]]
    assert upstream_service["environment"]["INTERLUDE_TRUSTED_PROXIES"] == web["subnet"]
    assert "web" in upstream_service["networks"] and caddy_service["networks"] == ["web"]


def test_the_postgres_variant_migrates_first_then_runs_one_api_and_one_worker():
    services = _interlude_services(_compose("compose.postgres.yaml"))
    commands = {name: s["command"] for name, s in services.items()}
    assert commands == {
        "migrate": ["interlude", "migrate"],
        "api": ["interlude", "serve", "--host", "0.0.0.0", "--port", "8000"],
        "worker": ["interlude", "worker"],
    }
    for name in ("api", "worker"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }
        env = services[name]["environment"]
        assert env["INTERLUDE_DATABASE_URL"].startswith("postgresql://")
        assert "INTERLUDE_SECRET_KEY" in env  # shared by every process (interlude doctor)
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["worker"]["healthcheck"] == {"disable": True}


def test_the_systemd_unit_runs_the_installed_wheel_where_caddy_proxies_to():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "interlude.service")
    service = unit["Service"]
    assert service["ExecStart"] == "/opt/interlude/bin/interlude run --host 127.0.0.1 --port 8000"
    assert service["User"] not in {"root", "0"}
    data_dir = re.search(r"INTERLUDE_DATA_DIR=(\S+)", service["Environment"])
    assert data_dir and data_dir.group(1) == f"/var/lib/{service['StateDirectory']}"
    assert service["ProtectSystem"] == "strict"  # writes only its state directory


def test_the_example_environment_names_real_settings():
    names = set(
        re.findall(r"^#?(INTERLUDE_[A-Z_]+)=", (DEPLOY / "interlude.env.example").read_text(), re.M)
    )
    assert {"INTERLUDE_BASE_URL", "INTERLUDE_VAPID_SUBJECT", "INTERLUDE_TRUSTED_PROXIES"} <= names
    assert names <= SETTINGS
