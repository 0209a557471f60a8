"""hub.settings: the hub listens on 127.0.0.1 unless told, sizes, and the folders a
learner's server must be able to pass through."""

from __future__ import annotations

import os

import pytest
from hubtools import ROOT

from hub.settings import Settings, closed_dirs, parse_size


def test_the_hub_listens_on_this_machine_only_unless_opened():
    assert Settings.from_env({}).ip == "127.0.0.1"
    assert Settings.from_env({"HUB_IP": ""}).ip == "127.0.0.1"
    assert Settings.from_env({"HUB_IP": "0.0.0.0"}).ip == "0.0.0.0"


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    from hub import settings
    names = {line.split("``")[1] for line in settings.__doc__.splitlines()
             if line.startswith("| ``HUB_")}
    assert len(names) == 13
    missing = sorted(n for n in names if n not in readme)
    assert not missing, missing


@pytest.mark.parametrize("text, size", [("1G", 2**30), ("800M", 800 * 2**20),
                                        ("1.5G", 3 * 2**29), ("512MiB", 2**29), ("0", 0)])
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["lots", "-1G", "1X", ""])
def test_a_bad_size_says_what_to_give(text):
    with pytest.raises(ValueError, match="HUB_MEM_LIMIT"):
        parse_size(text)


def test_folders_others_cannot_pass_are_found(tmp_path):
    inner = tmp_path / "a" / "b" / "c"
    inner.mkdir(parents=True)
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        folder.chmod(0o755)
    (tmp_path / "a").chmod(0o750)
    try:
        closed = closed_dirs([inner])
        assert tmp_path / "a" in closed and tmp_path / "a" / "b" not in closed
    finally:
        (tmp_path / "a").chmod(0o755)
    assert tmp_path / "a" not in closed_dirs([inner])


def test_the_state_folder_is_for_root_only(tmp_path):
    settings = Settings.from_env({"HUB_DIR": str(tmp_path / "hub")})
    settings.make_dirs()
    assert settings.state.stat().st_mode & 0o777 == 0o700
    assert settings.homes.stat().st_mode & 0o777 == 0o755
    assert os.access(settings.hub_dir, os.R_OK)


def test_each_variable_is_declared_once_with_its_help_and_fills_one_field():
    from dataclasses import fields

    from hub import settings
    assert [v.field for v in settings.VARIABLES] == [f.name for f in fields(Settings)]
    assert len({v.name for v in settings.VARIABLES}) == len(settings.VARIABLES)
    table = [line for line in settings.__doc__.splitlines() if line.startswith("| ``HUB_")]
    assert table == [v.row() for v in settings.VARIABLES]
    assert all(v.help and v.name.startswith("HUB_") for v in settings.VARIABLES)
    exported = (ROOT / "Makefile").read_text().split("\nexport HUB_DIR", 1)[1].split("\n\n")[0]
    assert {v.name for v in settings.VARIABLES} == {"HUB_DIR", *exported.replace(
        "\\", " ").split()}


def test_the_hub_is_a_package_with_no_path_tricks_and_settings_read_once():
    hub = ROOT / "hub"
    assert (hub / "__init__.py").exists()
    for path in hub.glob("*.py"):
        assert "sys.path" not in path.read_text(), path
    spawner = (hub / "roomhub.py").read_text()
    assert "from_env" not in spawner and "os.environ" not in spawner
    config = (hub / "jupyterhub_config.py").read_text()
    assert "from hub.config import configure" in config and "c.JupyterHub" not in config


def test_unset_and_blank_variables_mean_the_defaults():
    defaults = Settings.from_env({})
    assert Settings.from_env({v: "" for v in ("HUB_PORT", "HUB_MEM_LIMIT",
                                              "HUB_SPAWN_LIMIT")}) == defaults
    assert Settings.from_env({"HUB_KERNEL_IDLE_TIMEOUT": "  "}).kernel_idle_timeout == 1200
    assert defaults.server_args == () and defaults.public_url is None
    with pytest.raises(ValueError, match="HUB_PUBLIC_URL='room': give the address"):
        Settings.from_env({"HUB_PUBLIC_URL": "room"})
