"""Build the course website into ``_build/site/`` (``make site``).

Usage: python scripts/build_site.py [--no-build]

1. Assemble the sources in ``_build/site-src/``: the pages of ``docs/``, the instructor guide
   of ``instructor/``, the chapters of ``notebooks/``, the exercise notebooks of
   ``exercises/`` and their solutions, as stored
   (with their outputs; nothing is executed). Each figure's description, which
   :mod:`xentlearn.plots` stores as the figure's text, becomes its image's alt text, and
   every cell tagged ``claim:Cnn`` gets an anchor.
2. Write the page "What the sources claim, checked" from those tags and ``docs/claims.yml``
   (statements and verdicts). A claim without a tagged cell, or a tag without a row, stops
   the build.
3. Unpack MathJax (npm's ``mathjax`` 3) into ``_build/mathjax/`` once, so that pages typeset
   math from the site itself.
4. Run Sphinx with warnings as errors (``-W``): a link to a missing anchor fails the build.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SRC = ROOT / "_build" / "site-src"
OUT = ROOT / "_build" / "site"
MATHJAX = ROOT / "_build" / "mathjax"
MATHJAX_VERSION = "3.2.2"

REPOSITORY_URL = "https://github.com/xentlearn/xentlearn"
LICENCE_TEXT = ("Code under the MIT licence; text and figures under "
                "CC BY 4.0 (see LICENSE and LICENSE-content).")
DEFAULT_FIGURE_TEXT = re.compile(r"^<\w*Figure size \d+x\d+ with \d+ Axes>$")
CLAIM_TAG = re.compile(r"^claim:(C\d\d)$")
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
    for folder in ("notebooks", "exercises", "exercises/solutions"):
        for nb in sorted((ROOT / folder).glob("*.ipynb")):
            prepare_notebook(nb, SRC / folder / nb.name, claims)
    (SRC / "claims.md").write_text(claims_page(claims), encoding="utf-8")


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
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    code = build_main(["-W", "--keep-going", "-q", "-b", "html", "-c", str(DOCS),
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
