"""hub/settings.py: the hub listens on 127.0.0.1 unless told, sizes, and the folders a
learner's server must be able to pass through."""

from __future__ import annotations

import os

import pytest
from hubtools import ROOT
from settings import Settings, closed_dirs, parse_size


def test_the_hub_listens_on_this_machine_only_unless_opened():
    assert Settings.from_env({}).ip == "127.0.0.1"
    assert Settings.from_env({"HUB_IP": ""}).ip == "127.0.0.1"
    assert Settings.from_env({"HUB_IP": "0.0.0.0"}).ip == "0.0.0.0"


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    import settings
    names = {line.split("``")[1] for line in settings.__doc__.splitlines()
             if line.startswith("| ``HUB_")}
    assert len(names) == 12
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
