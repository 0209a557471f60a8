"""Build the course website into ``_build/site/`` (``make site``).

Usage: python scripts/build_site.py [--no-build]

1. Assemble the sources in ``_build/site-src/``: the pages of ``docs/``, the instructor guide
   of ``instructor/``, the chapters of ``notebooks/``, the exercise notebooks of
   ``exercises/`` and their solutions, as stored
   (with their outputs; nothing is executed). Each figure's description, which
   :mod:`xentlearn.plots` stores as the figure's text, becomes its image's alt text,
   every cell tagged ``claim:Cnn`` gets an anchor, and each solution page is titled
   "Solutions NN · <chapter>" (its exercise page keeps "Exercises NN · <chapter>").
2. Write the page "What the sources claim, checked" from those tags and ``docs/claims.yml``
   (statements and verdicts). A claim without a tagged cell, or a tag without a row, stops
   the build.
3. Put the downloads in place: every notebook as the repository holds it, beside its page
   (``_build/site-extra/``, which Sphinx copies into the site as it is); the course's
   notebooks as a zip and the package as a wheel (built offline with pip from the
   setuptools installed here) in the sources' ``downloads/``, linked from the home page.
4. Unpack MathJax (npm's ``mathjax`` 3) into ``_build/mathjax/`` once, so that pages typeset
   math from the site itself.
5. Run Sphinx with warnings as errors (``-W``): a link to a missing anchor fails the build.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import xentlearn.course

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SRC = ROOT / "_build" / "site-src"
OUT = ROOT / "_build" / "site"
EXTRA = ROOT / "_build" / "site-extra"
MATHJAX = ROOT / "_build" / "mathjax"
MATHJAX_VERSION = "3.2.2"

COURSE_FOLDERS = ("notebooks", "exercises")  # what the zip holds, exercises/solutions/ included
NOTEBOOK_FOLDERS = ("notebooks", "exercises", "exercises/solutions")  # one page per notebook
DOWNLOADS = "downloads"  # among the sources: the zip and the wheel
COURSE_ZIP = "xentlearn-course.zip"
COURSE_ZIP_ROOT = "xentlearn-course"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # every entry's time: the same notebooks make the same zip
# Left out of the copy the wheel is built from: what git ignores, and git itself.
WHEEL_COPY_IGNORE = (".git", ".venv", "_build", "build", "dist", "screenshots", "node_modules",
                     "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache", ".hypothesis",
                     ".ipynb_checkpoints")

REPOSITORY_URL = xentlearn.course.REPOSITORY  # set once, there
LICENCE_TEXT = ("Code under the MIT licence; text and figures under "
                "CC BY 4.0 (see LICENSE and LICENSE-content).")
DEFAULT_FIGURE_TEXT = re.compile(r"^<\w*Figure size \d+x\d+ with \d+ Axes>$")
CLAIM_TAG = re.compile(r"^claim:(C\d\d)$")
SOLUTION_TITLE = re.compile(r"^# (?:Exercises|Solutions) (\d\d) · (.+)")
VERDICTS = {"holds": "holds", "condition": "holds under a condition",
            "corrected": "loose or wrong as stated"}


class SiteError(RuntimeError):
    """The sources cannot make a correct site; the message says what to fix."""


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def _anchor(claim: str, n: int) -> str:
    return f"claim-{claim.lower()}-{n}"


Claims = dict[str, list[tuple[str, str, str]]]  # claim -> (page, anchor, section title)


def prepare_notebook(src: Path, dest: Path, claims: Claims) -> None:
    """Copy one notebook, giving figures their alt text and claim cells their anchors.

    Each claim cell is recorded in ``claims`` with its page, anchor and the title of the
    section it stands in.
    """
    nb = json.loads(src.read_text(encoding="utf-8"))
    rel = dest.relative_to(SRC).as_posix()
    if rel.startswith("exercises/solutions/"):
        title_solutions(nb, rel)
    cells = []
    section = ""
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            headings = re.findall(r"^#{1,3} (.+)$", _text(cell["source"]), re.M)
            section = headings[-1].strip() if headings else section
        tags = cell.get("metadata", {}).get("tags", [])
        for tag in tags:
            match = CLAIM_TAG.match(tag)
            if match:
                claim = match.group(1)
                label = _anchor(claim, len(claims.setdefault(claim, [])) + 1)
                claims[claim].append((rel, label, section))
                cells.append({"cell_type": "markdown", "metadata": {},
                              "source": f"({label})=\n"})
        if cell["cell_type"] == "code":
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "image/png" not in data:
                    continue
                alt = _text(data.get("text/plain", "")).strip()
                if not alt or DEFAULT_FIGURE_TEXT.match(alt):
                    raise SiteError(f"{src.relative_to(ROOT)}, cell {index}: a figure without "
                                    "a description; make it with a xentlearn.plots function, "
                                    "which describes each figure it draws")
                meta = copy.deepcopy(cell.get("metadata", {}))
                meta.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt
                cell["metadata"] = meta
        cells.append(cell)
    nb["cells"] = cells
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


def title_solutions(nb: dict, where: str) -> None:
    """Title a solution notebook "Solutions NN · <chapter>", in place.

    The exercise generator writes the same first heading, "Exercises NN · <chapter>", into
    an exercise notebook and its solution; on the site the two pages need titles of their
    own (navigation, the browser's tab, search results).
    """
    first = next((c for c in nb["cells"] if c["cell_type"] == "markdown"), None)
    text = _text(first["source"]) if first else ""
    match = SOLUTION_TITLE.match(text)
    if match is None:
        raise SiteError(f"{where}: the first Markdown cell of a solution notebook must start "
                        "with its title, '# Exercises NN · <chapter>' or "
                        "'# Solutions NN · <chapter>'")
    first["source"] = f"# Solutions {match[1]} · {match[2]}{text[match.end():]}"


def _link_text(section: str) -> str:
    """A section title as the text of a {ref} link: no markup that would end the role."""
    return _cell(re.sub(r"[`<>]", "", section)) or "top"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def claims_page(claims: Claims) -> str:
    """The Markdown of "What the sources claim, checked", one table row per claim."""
    import yaml

    rows = yaml.safe_load((DOCS / "claims.yml").read_text(encoding="utf-8"))
    listed = [row["id"] for row in rows]
    if len(set(listed)) != len(listed):
        raise SiteError("docs/claims.yml lists a claim twice")
    untagged = [c for c in listed if c not in claims]
    if untagged:
        raise SiteError(f"claims with no tagged cell in the notebooks: {untagged}; tag the "
                        "cell that shows each (cell tag claim:Cnn)")
    unlisted = sorted(set(claims) - set(listed))
    if unlisted:
        raise SiteError(f"cells tagged with claims that docs/claims.yml does not state: "
                        f"{unlisted}")
    lines = [
        "---",
        "html_theme.sidebar_secondary.remove: true",
        "---",
        "",
        "# What the sources claim, checked",
        "",
        "The course grew from four introductory articles on cross-entropy. Each of their",
        "claims and worked examples is restated here in the course's own words, with a",
        "verdict and links to the notebook cells that compute it with `xentlearn`. The",
        "links are made from the cells' `claim:` tags, so they always point at the cell",
        "that shows the claim.",
        "",
        "Verdicts: **holds**; **holds under a condition** (the condition is stated);",
        "**loose or wrong as stated** (the precise statement follows).",
        "",
        "| id | the claim | verdict | shown in |",
        "|---|---|---|---|",
    ]
    for row in rows:
        if row["verdict"] not in VERDICTS:
            raise SiteError(f"docs/claims.yml, {row['id']}: verdict must be one of "
                            f"{sorted(VERDICTS)}, not {row['verdict']!r}")
        verdict = f"**{VERDICTS[row['verdict']]}**"
        if row.get("precisely"):
            verdict += f": {_cell(row['precisely'])}"
        texts = [f"{Path(page).stem[:2]} · {_link_text(section)}"
                 for page, _, section in claims[row["id"]]]
        # cells in the same section are told apart by their order in it
        texts = [t if texts.count(t) == 1 else f"{t} ({texts[:i + 1].count(t)})"
                 for i, t in enumerate(texts)]
        links = "; ".join(f"{{ref}}`{text} <{label}>`"
                          for text, (_, label, _) in zip(texts, claims[row["id"]], strict=True))
        lines.append(f"| {row['id']} | {_cell(row['claim'])} | {verdict} | {links} |")
    return "\n".join(lines) + "\n"


def stage() -> None:
    """Assemble every source page in ``_build/site-src/``."""
    if SRC.exists():
        shutil.rmtree(SRC)
    shutil.copytree(DOCS, SRC, ignore=shutil.ignore_patterns("conf.py", "claims.yml",
                                                             "__pycache__", "_static"))
    shutil.copytree(ROOT / "instructor", SRC / "instructor",
                    ignore=shutil.ignore_patterns("__pycache__", ".*"))
    claims: Claims = {}
    for folder in NOTEBOOK_FOLDERS:
        for nb in sorted((ROOT / folder).glob("*.ipynb")):
            prepare_notebook(nb, SRC / folder / nb.name, claims)
    (SRC / "claims.md").write_text(claims_page(claims), encoding="utf-8")


def course_files() -> list[Path]:
    """The course's files as the repository holds them, relative to its root: everything
    under ``notebooks/`` and ``exercises/`` (``exercises/solutions/`` too) but hidden files
    and caches."""
    files = []
    for folder in COURSE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                          for part in rel.parts):
                files.append(rel)
    return files


def write_course_zip(dest: Path) -> Path:
    """The course's notebooks in one zip, under a folder ``xentlearn-course/`` with the
    repository's layout. Entries are sorted and dated alike, so the same files make the
    same zip."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in course_files():
            info = zipfile.ZipInfo(f"{COURSE_ZIP_ROOT}/{rel.as_posix()}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, (ROOT / rel).read_bytes())
    return dest


def build_wheel(dest: Path) -> Path:
    """The package as a wheel in ``dest``, named as pip names it.

    pip builds it from a copy of the project in a temporary folder (setuptools leaves its
    ``build/`` and ``*.egg-info`` there, not in the checkout), with the setuptools installed
    here (``--no-build-isolation``) and no package index (``--no-index``): offline.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="xentlearn-wheel-") as tmp:
        project = Path(tmp) / "xentlearn"
        shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(*WHEEL_COPY_IGNORE))
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--no-index", "--quiet", "--wheel-dir", str(dest), str(project)],
            capture_output=True, text=True)
    wheels = sorted(dest.glob("*.whl"))
    if result.returncode or len(wheels) != 1:
        raise SiteError(f"pip could not build the wheel (exit code {result.returncode}; "
                        f"it needs setuptools, as in the dev extra):\n{result.stderr.strip()}")
    return wheels[0]


def stage_downloads() -> None:
    """Every notebook, unchanged, in ``_build/site-extra/`` at its page's path with
    ``.ipynb`` (the pages' download buttons point there), and the chapters' slide decks in
    its ``decks/``; the course zip and the wheel in the sources' ``downloads/`` (the home
    page links them)."""
    if EXTRA.exists():
        shutil.rmtree(EXTRA)
    for folder in NOTEBOOK_FOLDERS:
        for nb in sorted((ROOT / folder).glob("*.ipynb")):
            (EXTRA / folder).mkdir(parents=True, exist_ok=True)
            shutil.copy2(nb, EXTRA / folder / nb.name)
    write_course_zip(SRC / DOWNLOADS / COURSE_ZIP)
    build_wheel(SRC / DOWNLOADS)
    # the chapters as static slide decks, at decks/NN_name.html beside the pages
    if str(ROOT) not in sys.path:  # run as a script: the project's folder, for scripts.*
        sys.path.insert(0, str(ROOT))
    from scripts.build_decks import build as build_decks

    build_decks(sorted((ROOT / "notebooks").glob("*.ipynb")), EXTRA / "decks")


def fetch_mathjax() -> Path:
    """MathJax 3's browser build in ``_build/mathjax/mathjax/``, from npm's registry once."""
    target = MATHJAX / "mathjax"
    if (target / "tex-chtml.js").exists():
        return MATHJAX
    cache = ROOT / "_build" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / f"mathjax-{MATHJAX_VERSION}.tgz"
    if not tarball.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SiteError("the site typesets math with MathJax from npm's registry, and npm "
                            "is missing: install Node.js and npm (apt-get install npm)")
        subprocess.run([npm, "pack", f"mathjax@{MATHJAX_VERSION}", "--silent"], cwd=cache,
                       check=True, stdout=subprocess.DEVNULL)
    if target.exists():
        shutil.rmtree(target)
    with tarfile.open(tarball) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith("package/es5/")]
        for m in members:
            m.name = m.name[len("package/es5/"):]
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, members=members, filter="data")
        else:  # Python 3.10 before 3.10.12
            tar.extractall(target, members=members)
    return MATHJAX


def build() -> float:
    """Run Sphinx over every page (``-E``: its saved environment would keep the glossary's
    and the API's index entries, which search lists first, out of a rebuilt search index)."""
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    code = build_main(["-W", "--keep-going", "-q", "-E", "-b", "html", "-c", str(DOCS),
                       str(SRC), str(OUT)])
    if code:
        raise SiteError(f"Sphinx stopped with exit code {code}; its warnings are above")
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="assemble the sources only")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        stage()
        stage_downloads()
        fetch_mathjax()
        if not args.no_build:
            build()
    except SiteError as err:
        print(f"make site: {err}", file=sys.stderr)
        return 1
    print(f"site built in {time.perf_counter() - start:.1f} s: {OUT.relative_to(ROOT)}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
