"""`make nbval-baseline`: NumPy really runs its baseline code paths, in the notebooks' kernels too.

NumPy picks at import, per loop, the newest SIMD extension the CPU has; exp and log on an
AVX-512 machine round differently from the AVX2 or baseline loops, and a notebook that
prints such a rounding fails there only. The target sets NPY_DISABLE_CPU_FEATURES to every
dispatched extension this CPU has (scripts/npy_dispatched_features.py); these tests check
that NumPy then reports them off and dispatches its loops to the baseline.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "npy_dispatched_features.py"
VARIABLES = ("NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES")

# What NumPy says about its dispatch, from a fresh interpreter: the extensions it found and
# uses, and for the loops that have dispatched versions, which one each call goes to.
PROBE = """
import json
import numpy as np
try:
    from numpy._core import _multiarray_umath as m
except ImportError:  # NumPy 1.x
    from numpy.core import _multiarray_umath as m
try:
    from numpy.lib.introspect import opt_func_info
    loops = {f"{name} {sig}": info["current"]
             for name, sigs in opt_func_info(func_name="^(exp|log|add|maximum)$").items()
             for sig, info in sigs.items()}
except ImportError:  # NumPy < 2.0
    loops = None
print(json.dumps({"dispatch": list(m.__cpu_dispatch__), "baseline": list(m.__cpu_baseline__),
                  "features": {k: bool(v) for k, v in m.__cpu_features__.items()},
                  "loops": loops}))
"""


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in VARIABLES + ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.update(extra)
    return env


def _probe(**extra: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], env=_env(**extra), capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def default() -> dict:
    return _probe()


@pytest.fixture(scope="module")
def features(default) -> list[str]:
    """The list `make nbval-baseline` computes, from the script it calls."""
    available = [n for n in default["dispatch"] if default["features"].get(n)]
    if not available:
        pytest.skip("this CPU has none of NumPy's dispatched extensions: nothing to disable")
    out = subprocess.run([sys.executable, str(SCRIPT)], env=_env(), capture_output=True,
                         text=True, check=True)
    return out.stdout.split()


def test_the_list_is_every_dispatched_extension_this_cpu_has(default, features):
    available = [n for n in default["dispatch"]
                 if default["features"].get(n) and n not in default["baseline"]]
    assert features, "the script printed nothing on a CPU with dispatched extensions"
    assert features == available


def test_the_script_ignores_a_variable_already_set(features):
    """Under `make nbval-baseline` itself (or a user's setting) it still lists them all."""
    out = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                         check=True, env={**_env(), "NPY_DISABLE_CPU_FEATURES": " ".join(features)})
    assert out.stdout.split() == features


def test_the_variable_switches_numpy_to_its_baseline_loops(default, features):
    disabled = _probe(NPY_DISABLE_CPU_FEATURES=" ".join(features))
    assert all(default["features"][n] for n in features)
    assert not any(disabled["features"][n] for n in features), disabled["features"]
    if default["loops"] is None:
        return  # NumPy 1.x has no per-loop report; the features above are what it dispatches on
    # the loops that used one of these extensions now run their baseline version
    dispatched = {loop: target for loop, target in default["loops"].items()
                  if target in features}
    assert dispatched, f"no exp/log/add/maximum loop uses {features}: {default['loops']}"
    for loop in dispatched:
        assert disabled["loops"][loop].startswith("baseline"), (loop, disabled["loops"][loop])
    assert not set(disabled["loops"].values()) & set(features)


def _show_runtime_simd(**extra: str) -> dict:
    """The SIMD part of np.show_runtime(), parsed from what it prints."""
    out = subprocess.run([sys.executable, "-c", "import numpy as np; np.show_runtime()"],
                         env=_env(**extra), capture_output=True, text=True, check=True).stdout
    simd = {}
    for key in ("baseline", "found", "not_found"):
        m = re.search(rf"'{key}':\s*\[(.*?)\]", out, re.S)
        simd[key] = re.findall(r"'([^']+)'", m.group(1)) if m else []
    return simd


def test_show_runtime_finds_no_extension_beyond_the_baseline(features):
    before = _show_runtime_simd()
    after = _show_runtime_simd(NPY_DISABLE_CPU_FEATURES=" ".join(features))
    assert set(features) <= set(before["found"]), before
    assert after["found"] == [], after
    assert set(features) <= set(after["not_found"]), after
    assert after["baseline"] == before["baseline"]


PROBE_CELL = """try:
    from numpy._core import _multiarray_umath as m
except ImportError:
    from numpy.core import _multiarray_umath as m
print(sorted(k for k in m.__cpu_dispatch__ if m.__cpu_features__.get(k)))"""


def _probe_notebook(path: Path) -> None:
    """A notebook whose stored output says: no dispatched extension in use."""
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(PROBE_CELL, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="[]\n")]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nbformat.write(nb, path)


def _make(target: str, notebook: Path) -> subprocess.CompletedProcess:
    # STAMP= : no install step; BIN: this interpreter's, whichever environment runs the tests
    return subprocess.run(["make", "--no-print-directory", target, "STAMP=",
                           f"BIN={Path(sys.executable).parent}", f"NOTEBOOKS={notebook}"],
                          cwd=ROOT, env=_env(), capture_output=True, text=True)


def test_the_make_target_runs_the_kernels_on_the_baseline(features, tmp_path):
    """End to end: nbval's kernel under `make nbval-baseline` sees no extension in use;
    under `make nbval` it sees this CPU's, so the same stored output fails there."""
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    pytest.importorskip("nbval")
    notebook = tmp_path / "dispatch_probe.ipynb"
    _probe_notebook(notebook)
    baseline = _make("nbval-baseline", notebook)
    assert baseline.returncode == 0, baseline.stdout + baseline.stderr
    assert f'NPY_DISABLE_CPU_FEATURES="{" ".join(features)}"' in baseline.stdout
    assert "1 passed" in baseline.stdout
    plain = _make("nbval", notebook)
    assert plain.returncode != 0, "the kernel of `make nbval` ran on the baseline too"
    assert repr(sorted(features))[1:-1] in plain.stdout + plain.stderr
