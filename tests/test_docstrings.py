"""Every public name documents itself: an example to run and, in the core, its formula and unit.

The docstrings are the API reference of the course website, so these checks are on what a
reader sees there: an "Examples" section with a doctest (``pytest --doctest-modules
xentlearn`` runs them), a formula as ``:math:`` or ``.. math::`` for the core modules, and
the unit (nats, bits with ``base=2``) for everything that computes an amount of information.
"""

from __future__ import annotations

import importlib
import inspect
import re
import types
from pathlib import Path

import pytest

import xentlearn

CORE = ("information", "activations", "losses", "grad", "calibration")
OTHER = ("models", "optimisers", "distributions", "datasets", "imbalance", "training_progress",
         "widgets", "exercises", "doctor")

#: Core names without a ``base`` parameter whose result still has a unit (nats).
NATS_WITHOUT_BASE = {"temperature_nll"}

PACKAGE = Path(xentlearn.__file__).parent

_SECTION = re.compile(r"^[ \t]*(?P<title>[A-Z][A-Za-z ]*)[ \t]*\n[ \t]*-{3,}[ \t]*$", re.M)


def _modules() -> list[tuple[types.ModuleType, bool]]:
    mods = [(importlib.import_module(f"xentlearn.{m}"), m in CORE) for m in CORE + OTHER]
    return mods + [(xentlearn, False)]  # last: a name is reported where its module exports it


def _public() -> tuple[dict[str, tuple[object, bool]], dict[str, tuple[object, str]]]:
    """Functions and classes by qualified name (with whether a core module exports them),
    and the other public names (data, submodules)."""
    objects: dict[int, tuple[str, object, bool]] = {}
    other: dict[str, tuple[object, str]] = {}
    for mod, core in _modules():
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                qual, _, was_core = objects.get(id(obj), (f"{mod.__name__}.{name}", obj, False))
                objects[id(obj)] = (qual, obj, was_core or core)
            else:
                other[f"{mod.__name__}.{name}"] = (obj, name)
    return {q: (o, c) for q, o, c in objects.values()}, other


OBJECTS, OTHER_NAMES = _public()
CORE_OBJECTS = {q: o for q, (o, core) in OBJECTS.items() if core}


def _doc(obj) -> str:
    """The docstring the object defines itself (a class's is not inherited)."""
    doc = vars(obj).get("__doc__") if inspect.isclass(obj) else obj.__doc__
    assert isinstance(doc, str) and doc.strip(), f"{obj!r} has no docstring of its own"
    return inspect.cleandoc(doc)


def _section(doc: str, title: str) -> str | None:
    """The body of the numpy-style section ``title``, up to the next section."""
    heads = list(_SECTION.finditer(doc))
    for i, head in enumerate(heads):
        if head["title"].strip() == title:
            end = heads[i + 1].start() if i + 1 < len(heads) else len(doc)
            return doc[head.end():end]
    return None


def _computes_information(qual: str, obj) -> bool:
    if inspect.isclass(obj):
        return False
    return "base" in inspect.signature(obj).parameters or qual.rsplit(".", 1)[1] in \
        NATS_WITHOUT_BASE


def test_the_walk_finds_the_public_names():
    assert "xentlearn.information.entropy" in OBJECTS
    assert "xentlearn.exercises.checker.CheckResult" not in OBJECTS  # named where exported
    assert "xentlearn.exercises.CheckResult" in OBJECTS
    assert "xentlearn._validation.InvalidInputError" not in OBJECTS
    assert any(o is xentlearn.InvalidInputError for o, _ in OBJECTS.values())
    assert len(CORE_OBJECTS) >= 25
    assert sum(_computes_information(q, o) for q, o in CORE_OBJECTS.items()) >= 14


@pytest.mark.parametrize("qual", sorted(OBJECTS))
def test_public_name_has_an_example(qual):
    obj, _ = OBJECTS[qual]
    body = _section(_doc(obj), "Examples")
    assert body is not None, f"{qual}: no 'Examples' section"
    assert re.search(r"^[ \t]*>>> ", body, re.M), f"{qual}: its Examples section has no >>> line"


@pytest.mark.parametrize("qual", sorted(CORE_OBJECTS))
def test_core_name_states_its_formula(qual):
    doc = _doc(CORE_OBJECTS[qual])
    assert ":math:`" in doc or ".. math::" in doc, f"{qual}: no :math: formula"


@pytest.mark.parametrize("qual", sorted(q for q, o in CORE_OBJECTS.items()
                                        if _computes_information(q, o)))
def test_information_in_its_unit(qual):
    obj = CORE_OBJECTS[qual]
    doc = _doc(obj)
    assert "nats" in doc, f"{qual}: does not say its result is in nats"
    if "base" in inspect.signature(obj).parameters:
        assert "bits" in doc, f"{qual}: takes base but does not say base=2 gives bits"


@pytest.mark.parametrize("qual", sorted(OTHER_NAMES))
def test_other_public_names_are_documented(qual):
    """Submodules have a docstring; constants have a ``#:`` comment for autodoc."""
    obj, name = OTHER_NAMES[qual]
    if isinstance(obj, types.ModuleType):
        assert obj.__name__ in {f"xentlearn.{m}" for m in CORE + OTHER}, qual
        assert obj.__doc__ and obj.__doc__.strip(), f"{qual}: no module docstring"
        return
    pattern = re.compile(rf"^#:.*\n{re.escape(name)}\b[^=\n]*=", re.M)
    sources = [p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")]
    assert any(pattern.search(s) for s in sources), f"{qual}: no '#:' comment above it"
