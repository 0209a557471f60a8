"""JupyterHub for a room, from the project's own environment: ``make hub`` runs

    .venv/bin/jupyterhub -f hub/jupyterhub_config.py

as root, after ``python -m hub.accounts`` made the learners' users and ``python -m hub.course``
published the course. Everything is in ``hub.config``; settings come from the HUB_*
environment variables (``hub.settings``), read there once. The hub listens on 127.0.0.1:8000
unless HUB_IP opens it (HUB_IP=0.0.0.0 for the room's network).
"""

import importlib.util
import sys
from pathlib import Path

# JupyterHub runs this file by its path and cannot import the project's folder by name: the
# folder this file is in is imported as the package ``hub`` from where it is (no search path
# is changed), then ``hub.config`` from it.
_init = Path(__file__).resolve().with_name("__init__.py")
if getattr(sys.modules.get("hub"), "__file__", None) != str(_init):
    _spec = importlib.util.spec_from_file_location("hub", _init,
                                                   submodule_search_locations=[str(_init.parent)])
    sys.modules["hub"] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules["hub"])

from hub.config import configure  # noqa: E402

configure(get_config())  # noqa: F821 (JupyterHub's config loader provides get_config)
