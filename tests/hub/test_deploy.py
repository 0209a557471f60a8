"""deploy/: the Zero to JupyterHub values match the one-machine hub's choices, and the page
gives the capacity from the measured memory."""

from __future__ import annotations

import re

import pytest
from hubtools import HUB, ROOT

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
