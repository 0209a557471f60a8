"""Finding learners' notebooks and reading them safely (xentlearn.report.notebooks): nothing
followed, special files refused by kind, sizes capped, files of other users refused."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from xentlearn import report
from xentlearn.report import notebooks

CH01, CH02 = "01_shannon_entropy.ipynb", "02_cross_entropy.ipynb"


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_find_notebooks_one_learner_a_class_and_duplicates(tmp_path):
    _notebook(tmp_path / "class" / "zoe" / CH02, "1")
    _notebook(tmp_path / "class" / "zoe" / "01_copy.ipynb", "1")
    _notebook(tmp_path / "class" / "zoe" / CH01, "1")
    _notebook(tmp_path / "class" / "al" / "00_welcome.ipynb", "1")  # not an exercise
    _notebook(tmp_path / "class" / "al" / "03_x.ipynb", "1")
    _notebook(tmp_path / "class" / ".hidden" / CH01, "1")
    found, notes = report.find_notebooks(tmp_path / "class")
    assert [(learner, n, p.name) for learner, n, p in found] == [
        ("al", 3, "03_x.ipynb"), ("zoe", 1, CH01), ("zoe", 2, CH02)]
    assert notes == [f"zoe: several notebooks for chapter 01; graded {CH01}, "
                     "skipped 01_copy.ipynb"]
    found, _ = report.find_notebooks(tmp_path / "class" / "zoe")
    assert {learner for learner, _, _ in found} == {"zoe"} and len(found) == 2
    with pytest.raises(ValueError, match="does not exist"):
        report.find_notebooks(tmp_path / "nope")


def test_a_link_swapped_in_after_the_check_is_still_refused(tmp_path, monkeypatch):
    """Between the check (lstat) and the opening, a notebook becomes a link: the opening
    itself refuses to follow it (O_NOFOLLOW), then fstat sees what was opened."""
    if not notebooks._NOFOLLOW:
        pytest.skip("no O_NOFOLLOW here: the check by lstat is all there is")
    secret = tmp_path / "secret.ipynb"
    secret.write_text(nbformat.writes(nbformat.v4.new_notebook()))
    link = tmp_path / CH01
    link.symlink_to(secret)
    regular = os.lstat(secret)
    monkeypatch.setattr(notebooks.os, "stat", lambda path, *args, **kwargs: regular)
    with pytest.raises(report.Unreadable, match="a symbolic link, not a notebook: refused"):
        notebooks.read_notebook(link)


def test_without_o_nofollow_links_are_refused_by_lstat(tmp_path, monkeypatch):
    secret = tmp_path / "secret.ipynb"
    secret.write_text(nbformat.writes(nbformat.v4.new_notebook()))
    link = tmp_path / CH01
    link.symlink_to(secret)
    monkeypatch.setattr(notebooks, "_NOFOLLOW", 0)  # as on Windows
    with pytest.raises(report.Unreadable, match="a symbolic link, not a notebook: refused"):
        notebooks.read_notebook(link)
    assert notebooks.read_notebook(secret).cells == []


def test_a_learner_folder_that_is_a_link_is_not_followed_and_noted(tmp_path):
    _notebook(tmp_path / "class" / "ana" / CH01, "1")
    _notebook(tmp_path / "elsewhere" / CH01, "1")
    (tmp_path / "class" / "eve").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "class" / ".link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    found, notes = report.find_notebooks(tmp_path / "class")
    assert [(learner, n) for learner, n, _ in found] == [("ana", 1)]
    assert notes == ["eve: a symbolic link to a folder, not followed: skipped"]
    # the folder named on the command line is the instructor's choice: it is followed
    found, _ = report.find_notebooks(tmp_path / "class" / "eve")
    assert [(learner, n) for learner, n, _ in found] == [("elsewhere", 1)]


def test_read_regular_relative_to_an_open_folder_follows_nothing(tmp_path):
    (tmp_path / "secret").write_text("SECRET")
    (tmp_path / CH01).write_bytes(b"{}")
    (tmp_path / CH02).symlink_to(tmp_path / "secret")
    (tmp_path / "03_x.ipynb").mkdir()
    os.mkfifo(tmp_path / "04_x.ipynb")
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert report.read_regular(CH01, dir_fd=fd) == b"{}"
        for name, why in ((CH02, "a symbolic link, not a notebook: refused"),
                          ("03_x.ipynb", "a folder, not a regular file"),
                          ("04_x.ipynb", "a FIFO, not a regular file"),
                          ("05_x.ipynb", "cannot be read: No such file or directory")):
            with pytest.raises(report.Unreadable) as caught:
                report.read_regular(name, dir_fd=fd)
            assert str(caught.value) == why, name
    finally:
        os.close(fd)


def test_read_regular_refuses_a_file_of_another_user_and_caps_the_size(tmp_path):
    path = tmp_path / CH01
    path.write_bytes(b"x" * 1001)
    mine = os.stat(path).st_uid
    assert len(report.read_regular(path, owner=mine)) == 1001
    with pytest.raises(report.Unreadable, match=rf"a file of another user \(uid {mine}\): refused"):
        report.read_regular(path, owner=mine + 1)  # a hard link to someone else's file
    with pytest.raises(report.Unreadable,
                       match="0.0 MB, more than the 0.0 MB a results log may have"):
        report.read_regular(path, 1000, what="a results log")
