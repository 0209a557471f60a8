"""deploy/: the Zero to JupyterHub values match the one-machine hub's choices (the live view's
service, roles and variable included), and the page gives the capacity from the measured
memory."""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import pytest
from hubtools import HUB, ROOT

from hub import config as hub_config
from hub.settings import Settings, parse_size

yaml = pytest.importorskip("yaml")
VALUES = yaml.safe_load((ROOT / "deploy" / "values.yaml").read_text())
CONFIG = (HUB / "config.py").read_text()


def test_the_values_give_each_learner_the_rooms_memory_limit_and_idle_timeout():
    defaults = Settings.from_env({})
    memory = VALUES["singleuser"]["memory"]
    assert parse_size(memory["limit"]) == defaults.mem_limit
    assert parse_size(memory["guarantee"]) < parse_size(memory["limit"])
    assert VALUES["cull"]["enabled"] is True
    assert VALUES["cull"]["timeout"] == defaults.idle_timeout


def test_the_values_open_the_course_where_the_room_does_and_pull_it_with_nbgitpuller():
    url = re.search(r'default_url = "(.+)"', CONFIG).group(1)
    assert VALUES["singleuser"]["defaultUrl"] == url
    command = VALUES["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[0] == "gitpuller" and command[2:] == ["main", "course"]
    assert url.startswith("/lab/tree/course/")


def test_the_values_use_the_courses_image_per_learner_passwords_and_an_admin():
    assert "xentlearn" in VALUES["singleuser"]["image"]["name"]
    config = VALUES["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] != "shared-password"
    assert config["Authenticator"]["admin_users"] == [Settings.from_env({}).admin]
    assert config["Authenticator"]["allowed_users"]
    assert VALUES["proxy"]["https"]["enabled"] is True


def test_the_deploy_page_gives_the_capacity_of_a_24_gb_machine():
    page = (ROOT / "deploy" / "README.md").read_text()
    assert "24 GB" in page and "MEASUREMENTS" not in page and "CAPACITY" not in page
    rows = re.findall(r"^\| (.+?) \| (\d+) MB \|", page, re.M)
    assert len(rows) >= 4, rows


# The live view (the ``room`` service) under Zero to JupyterHub: the same service, roles and
# variable as hub/config.py gives the room on one machine, and the paths between the pods.

ROOM = VALUES["hub"]["services"]["room"]
HUB_POD = {"app.kubernetes.io/name": "jupyterhub", "app.kubernetes.io/component": "hub"}


def _value(node: ast.AST):
    """A literal of hub/config.py, its module-level names (such as ROOM_ACCESS) read from
    hub.config; anything else (f-strings, calls) as its node."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_value(e) for e in node.elts]
    if isinstance(node, ast.Name) and hasattr(hub_config, node.id):
        return getattr(hub_config, node.id)
    try:
        return ast.literal_eval(node)
    except ValueError:
        return node


def _config_dicts() -> dict[str, dict]:
    """The dicts in hub/config.py that have a literal "name" (services and roles), by name."""
    found = {}
    for node in ast.walk(ast.parse(CONFIG)):
        if not isinstance(node, ast.Dict):
            continue
        pairs = zip(node.keys, node.values, strict=True)
        entries = {key.value: _value(value) for key, value in pairs
                   if isinstance(key, ast.Constant)}
        if isinstance(entries.get("name"), str):
            found[entries["name"]] = entries
    return found


def _room_port() -> int:
    return urlsplit(ROOM["url"]).port


def test_the_values_run_the_room_service_as_the_room_does():
    config = _config_dicts()["room"]
    assert "room" in VALUES["hub"]["services"]
    assert ROOM["oauth_no_confirm"] is config["oauth_no_confirm"] is True
    assert ROOM["display"] == config["display"]
    command = ROOM["command"]
    assert command[1:3] == ["-m", "hub.roomservice"]
    options = dict(arg.split("=", 1) for arg in command[3:])
    # every option hub/config.py gives it (f-strings such as f"--db={...}") is given here too
    for arg in config["command"]:
        if isinstance(arg, ast.JoinedStr):
            assert arg.values[0].value.split("=")[0] in options, ast.unparse(arg)
    # its port is the room's default (HUB_ROOM_PORT), the one its url names
    assert int(options["--port"]) == _room_port() == Settings.from_env({}).room_port
    assert urlsplit(ROOM["url"]).hostname == "hub"
    # its files (results, cookie key) on the hub's own volume, kept across restarts
    files = [PurePosixPath(v) for k, v in options.items() if k in ("--db", "--cookie-secret-file")]
    assert files and all(f.parent == PurePosixPath("/srv/jupyterhub") for f in files), files
    assert PurePosixPath(options["--db"]).name == Settings.from_env({}).room_db.name
    # the chart runs it in the hub's pod: the hub's image carries the project
    assert "xentlearn" in VALUES["hub"]["image"]["name"]
    assert ROOM["cwd"].startswith("/")


def test_hub_roomservice_accepts_the_values_command(monkeypatch):
    """The command's options parse; it stops right after, before it touches the hub."""
    from hub import roomservice

    class Parsed(Exception):
        pass

    def stop(*args, **kwargs):
        raise Parsed

    monkeypatch.setattr(roomservice.HubOAuth, "instance", stop)
    monkeypatch.setattr(roomservice.logging, "basicConfig", lambda **kwargs: None)
    with pytest.raises(Parsed):
        roomservice.main(ROOM["command"][3:])


def test_the_values_give_the_roles_of_hub_config():
    config = _config_dicts()
    roles = VALUES["hub"]["loadRoles"]
    # every role hub/config.py loads but those of its other services (the chart has its own
    # culler; prestart is for the hub on one machine)
    mine = {name for name, d in config.items()
            if "scopes" in d and d.get("services", ["room"]) == ["room"]}
    assert {"server", "room-role"} <= mine and set(roles) == mine
    for name in mine:
        assert roles[name]["scopes"] == config[name]["scopes"], name
    # a learner's server token reaches the room only if both it and its owner may
    for name in ("server", "user"):
        if name in mine:
            assert "access:services!service=room" in roles[name]["scopes"], name
    assert roles["room-role"]["services"] == config["room-role"]["services"] == ["room"]
    assert set(roles["room-role"]) == {"scopes", "services"}  # no users, no groups


def test_the_learners_kernels_get_the_room_services_address():
    from xentlearn.exercises.room import URL_ENV_VAR

    assert f'"{URL_ENV_VAR}": f"{{room_url(settings)}}api/results"' in CONFIG
    url = urlsplit(VALUES["singleuser"]["extraEnv"][URL_ENV_VAR])
    assert url.scheme == "http" and url.hostname == "hub" and url.port == _room_port()
    assert url.path == "/services/room/api/results"


def test_the_room_port_is_open_from_the_proxy_and_the_learners_to_the_hub_only():
    port = _room_port()
    extra = VALUES["hub"]["service"]["extraPorts"]
    assert [(p["port"], p["targetPort"]) for p in extra] == [(port, port)]
    # into the hub's pod: from the pods the chart labels for the hub (proxy, learners)
    [rule] = VALUES["hub"]["networkPolicy"]["ingress"]
    assert rule["ports"] == [{"port": port}]
    assert rule["from"] == [{"podSelector": {"matchLabels": {
        "hub.jupyter.org/network-access-hub": "true"}}}]
    assert "allowedIngressPorts" not in VALUES["hub"]["networkPolicy"]  # not from everywhere
    # out of the learners' and the proxy's pods: to the hub's pod, that port
    for policy in (VALUES["singleuser"]["networkPolicy"],
                   VALUES["proxy"]["chp"]["networkPolicy"]):
        [rule] = policy["egress"]
        assert rule["ports"] == [{"port": port}]
        assert rule["to"] == [{"podSelector": {"matchLabels": HUB_POD}}]
        assert "egressAllowRules" not in policy  # the chart's defaults otherwise
