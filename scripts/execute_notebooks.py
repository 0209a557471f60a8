"""Re-execute notebooks in place and store them normalised, so an unchanged run leaves git clean.

Usage: python scripts/execute_notebooks.py NOTEBOOK.ipynb [...]

Each notebook runs top to bottom in a fresh kernel from its own folder (as
JupyterLab and nbval run it). Afterwards volatile metadata is dropped: cell
execution timings, widget state, the kernel's language version, and outputs left
with no data (a training progress bar empties itself when its fit ends). Cells
tagged ``raises-exception`` may raise; any other error stops with a message.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

VOLATILE_CELL_KEYS = ("execution", "collapsed", "scrolled")


#: Figures stored at twice their pixels, with their size at 1x beside them: sharp on the
#: website's pages and on high-density screens. A learner's own run draws them at 1x.
RETINA = "--InlineBackend.figure_formats=retina"


def kernel_options() -> dict:
    """How to start the kernels: figures at 2x (:data:`RETINA`), and so that ipykernel has no
    warning to print at every start.

    ipykernel warns that it runs over TCP without encryption: once per notebook, that
    buries this script's own output. Where pyzmq has CurveZMQ, jupyter_client hands out
    its keys (``KernelManager.transport_encryption``) and the python3 kernel spec says
    ipykernel uses them, the traffic is encrypted and there is nothing to warn about;
    elsewhere the kernel's warnings are silenced (its errors still show).
    """
    import zmq
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from traitlets.config import Config

    if zmq.has("curve") and "transport_encryption" in KernelManager.class_traits():
        supported = KernelSpecManager().get_kernel_spec("python3").metadata.get(
            "supported_encryption", ())
        if "curve" in ([supported] if isinstance(supported, str) else supported):
            return {"config": Config({"KernelManager": {"transport_encryption": "auto"}}),
                    "extra_arguments": [RETINA]}
    return {"extra_arguments": ["--IPKernelApp.log_level=ERROR", RETINA]}


def merge_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) chunks: how a kernel splits them varies by run."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and prev is not None
                and prev.get("output_type") == "stream" and prev.get("name") == out.get("name")):
            prev["text"] += out["text"]
        else:
            merged.append(out)
    return merged


def normalise(nb: nbformat.NotebookNode) -> None:
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        cell.pop("id", None)
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            data = out.get("data", {})
            # a widget's view is stored in the notebook's widget state, which is not kept
            data.pop("application/vnd.jupyter.widget-view+json", None)
        # an output left with no data shows nothing: a training progress bar emptied at the
        # end of its fit, present or not depending on how long the fit took on this machine.
        # Dropped before the streams are joined, so the text around it becomes one chunk.
        cell.outputs = merge_streams([out for out in cell.outputs
                                      if out.get("output_type") != "display_data"
                                      or out.get("data")])
    nb.nbformat_minor = 4


def execute(path: Path, timeout: int = 120) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", **kernel_options(),
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    normalise(nb)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    total = 0.0
    for name in argv:
        seconds = execute(Path(name))
        total += seconds
        print(f"{seconds:6.2f} s  {name}")
    print(f"{total:6.2f} s  in all ({len(argv)} notebooks)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
