"""Sphinx configuration of the course website (`make site`).

`scripts/build_site.py` assembles the sources (these pages, the stored notebooks, the
generated claims page) in `_build/site-src/` and builds them here into `_build/site/`.
The notebooks are rendered from their stored outputs, never re-executed: nbval already
checks that the stored outputs equal a fresh run. Nothing is loaded from outside the
machine: MathJax is served from `_static/mathjax/`, the copy buttons' scripts from the
site's `_static/` (sphinx-copybutton ships them).

Each notebook page's ".ipynb" download is the repository's notebook, which `build_site.py`
puts beside the page (`_build/site-extra/`, copied as it is); the home page links the course
zip and the wheel it puts in the sources' `downloads/`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import xentlearn  # noqa: E402
from scripts.build_site import (  # noqa: E402
    DOWNLOADS,
    EXTRA,
    LICENCE_TEXT,
    MATHJAX,
    REPOSITORY_URL,
    SRC,
)

project = "xentlearn"
author = "the xentlearn authors"
copyright = "the xentlearn authors; code MIT, text and figures CC BY 4.0"
release = version = xentlearn.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
]

root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]

# notebooks: stored outputs only
nb_execution_mode = "off"
nb_ipywidgets_js: dict = {}  # widget views are not stored; load no widget manager from a CDN
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3

# the wheel build_site.py built (named as pip names it), for the home page's link
_wheels = sorted((SRC / DOWNLOADS).glob("*.whl"))
myst_substitutions = {
    "wheel_link": (f"[`{_wheels[-1].name}`](path:{DOWNLOADS}/{_wheels[-1].name})"
                   if _wheels else "(not built)"),
}

# copy buttons on code cells and code blocks, not on outputs; doctest prompts not copied
copybutton_selector = "div:not(.output) > div.highlight > pre"
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

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
html_extra_path = [str(EXTRA)]  # the notebooks, beside their pages
html_css_files = ["xentlearn.css"]
html_js_files = ["xentlearn.js"]
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False  # the pages offer the repository's notebooks instead (see setup)
# Solution pages after their exercises; search snippets without TeX source (see the file).
html_search_scorer = str(Path(__file__).parent / "_static" / "search-scorer.js")
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
    "extra_footer": LICENCE_TEXT,
    "show_navbar_depth": 1,
}


def _download_buttons(app, pagename, templatename, context, doctree) -> None:
    """Point a page's ".ipynb" download at the repository's notebook beside the page, and
    drop the download of the page's source, which the site does not hold
    (``html_copy_source``). Runs after sphinx-book-theme has made its buttons."""
    notebook = EXTRA / f"{pagename}.ipynb"
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        buttons = [b for b in group["buttons"]
                   if b.get("label") not in ("download-notebook-button", "download-source-button")]
        if notebook.is_file():
            buttons.insert(0, {
                "type": "link",
                "url": context["pathto"](f"{pagename}.ipynb", 1),
                "text": ".ipynb",
                "icon": "fas fa-code",
                "tooltip": "Download this notebook",
                "label": "download-notebook-button",
            })
        group["buttons"] = buttons


def setup(app) -> None:
    app.connect("html-page-context", _download_buttons, priority=900)
