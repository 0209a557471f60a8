"""Sphinx configuration of the course website (`make site`).

`scripts/build_site.py` assembles the sources (these pages, the stored notebooks, the
generated claims page) in `_build/site-src/` and builds them here into `_build/site/`.
The notebooks are rendered from their stored outputs, never re-executed: nbval already
checks that the stored outputs equal a fresh run. Nothing is loaded from outside the
machine: MathJax is served from `_static/mathjax/`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import xentlearn  # noqa: E402
from scripts.build_site import LICENCE_TEXT, MATHJAX, REPOSITORY_URL  # noqa: E402

project = "xentlearn"
author = "the xentlearn authors"
copyright = "the xentlearn authors; code MIT, text and figures CC BY 4.0"
release = version = xentlearn.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]

root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]

# notebooks: stored outputs only
nb_execution_mode = "off"
nb_ipywidgets_js: dict = {}  # widget views are not stored; load no widget manager from a CDN
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# API reference from the docstrings (numpy style)
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
napoleon_use_ivar = True  # NamedTuple fields are documented once, by autodoc

# math from the local copy that build_site.py unpacks into _static/mathjax/
mathjax_path = "mathjax/tex-chtml.js"

language = "en"
html_theme = "sphinx_book_theme"
html_context = {"default_mode": "light"}  # the figures are drawn on white
html_title = "xentlearn"
html_static_path = ["_static", str(MATHJAX)]  # MathJax: the folder build_site.py unpacks
html_css_files = ["xentlearn.css"]
html_js_files = ["xentlearn.js"]
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": False,
    "use_download_button": True,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
    "extra_footer": LICENCE_TEXT,
    "show_navbar_depth": 1,
}
