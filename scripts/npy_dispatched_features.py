"""Print the value of NPY_DISABLE_CPU_FEATURES that sends NumPy to its baseline code paths.

Usage: python scripts/npy_dispatched_features.py        (space-separated, on stdout)

NumPy compiles its loops for a baseline instruction set and, for some of them, for
newer extensions too (``__cpu_dispatch__``: AVX2, AVX-512, ... or, from NumPy 2.4,
groups such as X86_V3 and X86_V4), and picks at run time the newest one the CPU has
(``__cpu_features__``). The picked code can round differently: exp and log in the
AVX-512 loops differ from the baseline ones by an ulp here and there. `make
nbval-baseline` runs the notebooks once more with every dispatched extension this CPU
has disabled, so that an output that changes with the code path fails on any machine,
not only on one with the other extensions.

The list is every entry of ``__cpu_dispatch__`` that ``__cpu_features__`` marks
available, leaving out the baseline (which NumPy refuses to disable: it raises at
import). The result is checked in a child process: NumPy must import with it and then
report none of these extensions in use; an entry that NumPy refuses is left out and
named on stderr. Works with NumPy 1.24 and later (the module is
``numpy.core._multiarray_umath`` before 2.0).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

VARIABLES = ("NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES")

PROBE = """
import json
try:
    from numpy._core import _multiarray_umath as m
except ImportError:  # NumPy 1.x
    from numpy.core import _multiarray_umath as m
print(json.dumps({"dispatch": list(m.__cpu_dispatch__), "baseline": list(m.__cpu_baseline__),
                  "features": {k: bool(v) for k, v in m.__cpu_features__.items()}}))
"""


def clean_env(**extra: str) -> dict:
    """This environment without NumPy's CPU feature variables (they change what it reports)."""
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update(extra)
    return env


def probe(env: dict) -> tuple[dict | None, str]:
    """What NumPy reports in a child process with ``env``; None and the error if it fails."""
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"
    return json.loads(out.stdout), ""


def in_use(report: dict, names: list[str]) -> list[str]:
    return [n for n in names if report["features"].get(n)]


def dispatched_features() -> list[str]:
    """The available dispatched extensions that NumPy accepts to disable, all at once."""
    report, err = probe(clean_env())
    if report is None:
        raise SystemExit(f"cannot import numpy: {err}")
    candidates = [n for n in report["dispatch"]
                  if report["features"].get(n) and n not in report["baseline"]]
    if not candidates:
        return []
    disabled, err = probe(clean_env(NPY_DISABLE_CPU_FEATURES=" ".join(candidates)))
    if disabled is None:
        # one of them cannot be disabled: keep those NumPy accepts one by one
        kept = []
        for name in candidates:
            alone, why = probe(clean_env(NPY_DISABLE_CPU_FEATURES=name))
            if alone is None:
                print(f"NumPy refuses to disable {name}: {why}", file=sys.stderr)
            else:
                kept.append(name)
        candidates = kept
        disabled, err = probe(clean_env(NPY_DISABLE_CPU_FEATURES=" ".join(candidates)))
        if disabled is None:
            raise SystemExit(f"NumPy does not import with NPY_DISABLE_CPU_FEATURES="
                             f"{' '.join(candidates)!r}: {err}")
    left = in_use(disabled, candidates)
    if left:
        raise SystemExit(f"NPY_DISABLE_CPU_FEATURES={' '.join(candidates)!r} leaves "
                         f"{' '.join(left)} in use")
    return candidates


def main() -> int:
    names = dispatched_features()
    if not names:
        print("this CPU has none of NumPy's dispatched extensions: NumPy already runs its "
              "baseline code", file=sys.stderr)
    print(" ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
