"""hub.preflight: what ``make hub`` checks before it creates anything (ports, paths, the
slips' address, the class list), and its warning when the class cannot all fill their
memory limit; the order of ``make hub``'s steps."""

from __future__ import annotations

import re
import socket

import pytest
from hubtools import ROOT

from hub import preflight
from hub.settings import Settings

GB = 2**30


def _class(tmp_path, text="xlt-dee\nxlt-eve\n"):
    path = tmp_path / "class.txt"
    path.write_text(text)
    return path


def test_make_hub_checks_before_it_creates_anything():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nhub:", 1)[1].split("\n\n", 1)[0]
    steps = [" ".join(line.split()[1:3]) for line in recipe.splitlines() if "$(BIN)/" in line]
    assert steps == ["-m hub.preflight", "-m hub.accounts", "-m hub.course",
                     "-f hub/jupyterhub_config.py"], steps


def test_a_port_in_use_is_named_with_its_setting(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        settings = Settings.from_env({"HUB_DIR": str(tmp_path / "hub"),
                                      "HUB_API_PORT": str(port)})
        found, _ = preflight.problems(_class(tmp_path), settings)
    assert any(f"HUB_API_PORT: port {port} on 127.0.0.1 is in use" in p for p in found), found
    assert not (tmp_path / "hub").exists()


def test_two_settings_on_one_port_are_refused(tmp_path):
    settings = Settings.from_env({"HUB_DIR": str(tmp_path / "hub"), "HUB_PORT": "8123",
                                  "HUB_PROXY_API_PORT": "8123"})
    found, _ = preflight.problems(_class(tmp_path), settings)
    assert any("HUB_PROXY_API_PORT=8123 is also HUB_PORT" in p for p in found), found


def test_a_python_other_users_cannot_reach_is_found_before_anything_is_made(tmp_path,
                                                                            monkeypatch):
    closed = tmp_path / "root-like"
    python = closed / "pyenv" / "bin" / "python3"
    python.parent.mkdir(parents=True)
    python.write_text("")
    closed.chmod(0o700)
    monkeypatch.setattr(preflight, "learner_paths", lambda: [python])
    found, _ = preflight.problems(_class(tmp_path), Settings.from_env(
        {"HUB_DIR": str(tmp_path / "hub")}))
    message = next(p for p in found if "cannot reach the project's environment" in p)
    assert re.search(rf"`chmod o\+x [^`]*{re.escape(str(closed))}`", message), message
    assert not (tmp_path / "hub").exists()


def test_listening_everywhere_needs_the_address_for_the_slips(tmp_path):
    open_room = {"HUB_DIR": str(tmp_path / "hub"), "HUB_IP": "0.0.0.0"}
    found, _ = preflight.problems(_class(tmp_path), Settings.from_env(open_room))
    assert any("set HUB_PUBLIC_URL" in p for p in found), found
    given = Settings.from_env({**open_room, "HUB_PUBLIC_URL": "http://192.168.1.20:8000"})
    assert given.slip_url == "http://192.168.1.20:8000/"
    found, _ = preflight.problems(_class(tmp_path), given)
    assert not any("HUB_PUBLIC_URL" in p for p in found), found


def test_the_slips_address_defaults_to_the_hubs_own_and_a_bad_one_says_what_to_give():
    assert Settings.from_env({}).slip_url == "http://127.0.0.1:8000/"
    assert Settings.from_env({"HUB_IP": "0.0.0.0"}).slip_url is None
    for bad in ("192.168.1.20:8000", "ftp://x/", "http://"):
        with pytest.raises(ValueError, match="HUB_PUBLIC_URL=.*give the address learners"):
            Settings.from_env({"HUB_PUBLIC_URL": bad})


@pytest.mark.parametrize("learners, limit, warned", [
    (25, "1G", True), (22, "1G", False), (45, "600M", True), (25, "0", False)])
def test_a_class_that_cannot_all_fill_its_limit_is_warned_about(learners, limit, warned):
    settings = Settings.from_env({"HUB_MEM_LIMIT": limit})
    warning = preflight.memory_warning(learners, settings, total=24 * GB)
    assert (warning is not None) == warned, warning
    if warned:
        assert f"{learners} learners × HUB_MEM_LIMIT" in warning
        fits = int(re.search(r"(\d+) learners fit", warning).group(1))
        assert fits * settings.mem_limit + preflight.HUB_OVERHEAD <= 24 * GB < \
            (fits + 1) * settings.mem_limit + preflight.HUB_OVERHEAD


def test_the_warning_reaches_the_instructor_from_preflight(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(preflight, "machine_memory", lambda: 4 * GB)
    monkeypatch.setenv("HUB_DIR", str(tmp_path / "hub"))
    monkeypatch.setenv("HUB_MEM_LIMIT", "3G")
    preflight.main([str(_class(tmp_path))])
    err = capsys.readouterr().err
    assert "warning: 2 learners × HUB_MEM_LIMIT 3 GB" in err, err


def test_kernel_culling_and_the_spawn_limit_are_settings_with_room_defaults():
    settings = Settings.from_env({})
    assert settings.kernel_idle_timeout == 1200
    assert settings.spawn_limit >= 4
    assert Settings.from_env({"HUB_KERNEL_IDLE_TIMEOUT": "0"}).kernel_idle_timeout == 0
    with pytest.raises(ValueError, match="HUB_SPAWN_LIMIT='many': give a whole number"):
        Settings.from_env({"HUB_SPAWN_LIMIT": "many"})
    config = (ROOT / "hub" / "config.py").read_text()
    for name in ("cull_idle_timeout", "cull_interval", "cull_connected=True",
                 "concurrent_spawn_limit", "roomproxy.py"):
        assert name in config, name
