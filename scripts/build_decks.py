"""Static HTML slide decks of the chapters, for the website and for print (``make decks``).

Usage: python scripts/build_decks.py [--out DIR] [NOTEBOOK.ipynb ...]
       (default: every chapter of notebooks/ into _build/decks/)

Each chapter becomes ``DIR/NN_name.html``: the slides its cells' ``slideshow`` metadata makes
(``scripts/slides.py``; the same slides RISE shows in JupyterLab), with the stored outputs
(nothing is executed) and the speaker notes (key S opens the speaker view). nbconvert's slides
exporter writes them with a template of this module, which loads

- reveal.js (npm's ``reveal.js``, ``REVEAL_VERSION``), unpacked into ``DIR/reveal.js/``;
- MathJax 3 (npm's ``mathjax``, the site's version), the parts a deck uses, in ``DIR/mathjax/``;

and nothing else: no CDN, no other machine. ``DIR`` can be copied anywhere (the website, a USB
stick) and its decks open from the file system. A slide is 1280 x 720 (16:9), scaled to the
window. To print: open ``NN_name.html?print-pdf`` and print to PDF from the browser: a page a
slide (what does not fit a slide is cut off there), ``&showNotes=separate-page`` adds the notes.

npm is needed once: the two tarballs are kept in ``_build/cache/`` (shared with the site's
MathJax) and the build then runs offline.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "_build" / "decks"
CACHE = ROOT / "_build" / "cache"

REVEAL_VERSION = "5.2.1"
MATHJAX_VERSION = "3.2.2"  # the site's (scripts/build_site.py); the same tarball in the cache

#: What a deck needs of each package, as paths in its tarball (a folder takes all under it).
REVEAL_FILES = ("LICENSE", "dist/reveal.css", "dist/reveal.js", "dist/theme/white.css",
                "dist/theme/fonts/source-sans-pro", "plugin/notes/notes.js")
MATHJAX_FILES = ("LICENSE", "es5/tex-chtml.js", "es5/output/chtml/fonts/woff-v2")

#: A reference that makes the page load something from another machine.
LOADS_AWAY = re.compile(r'<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)='
                        r'["\']((?:[a-z]+:)?//[^"\']+)')

#: The slide's size in CSS pixels: reveal.js scales it to fit the window, keeping its shape.
WIDTH, HEIGHT = 1280, 720

# The deck's template: nbconvert's reveal template, with reveal.js and MathJax 3 from the deck's
# own folder and without the scripts it would load from CDNs (jQuery, require.js, mermaid, the
# widget manager: the chapters store no widget state, an explorer's output is its description).
TEMPLATE = r"""{%- extends 'reveal/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}

{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']],
        processEscapes: true, processEnvironments: true},
  options: {enableMenu: false},
  chtml: {displayAlign: 'center'}
};
</script>
<script defer src="mathjax/tex-chtml.js"></script>
{%- endblock html_head_js_mathjax -%}

{%- block notebook_css -%}
{{ super() }}
<style type="text/css">
:root {
  --jp-content-font-size1: 22px;
  --jp-ui-font-size1: 22px;
  --jp-code-font-size: 19px;
}
.reveal .slides { text-align: left; }
.reveal .slides section { padding: 0; }
.reveal .jp-Cell { padding: 2px 0; }
.reveal .jp-RenderedHTMLCommon h1, .reveal .jp-RenderedHTMLCommon h2,
.reveal .jp-RenderedHTMLCommon h3 { margin-top: 0.2em; text-transform: none; }
.reveal .jp-OutputArea-output img { max-width: 100%; height: auto; display: block;
                                    margin: 0 auto; }
.reveal .jp-InputPrompt, .reveal .jp-OutputPrompt { display: none; }
/* Nothing runs off the slide's right edge: long code lines and printed lines wrap (at spaces
   where they can), tables fit the slide's width and wrap their cells. */
.reveal pre, .reveal .jp-OutputArea-output pre, .reveal .CodeMirror pre,
.reveal .highlight pre { white-space: pre-wrap; overflow-wrap: anywhere; overflow: visible;
                        width: auto; margin: 0; box-sizing: border-box; }
.reveal .jp-RenderedHTMLCommon table { font-size: 17px; max-width: 100%; table-layout: auto; }
.reveal .jp-RenderedHTMLCommon td, .reveal .jp-RenderedHTMLCommon th {
  white-space: normal; overflow-wrap: anywhere; padding: 2px 6px; }
</style>
{%- endblock notebook_css -%}

{%- block footer_js -%}
<script src="reveal.js/dist/reveal.js"></script>
<script src="reveal.js/plugin/notes/notes.js"></script>
<script>
function startDeck() {
  Reveal.initialize({
    width: {{ resources.reveal.width }}, height: {{ resources.reveal.height }}, margin: 0.02,
    center: false, hash: true, controls: true, progress: true, pdfMaxPagesPerSlide: 1,
    transition: "{{ resources.reveal.transition }}", slideNumber: "{{ resources.reveal.number }}",
    plugins: [RevealNotes]
  });
}
if (/print-pdf/i.test(window.location.search)) {
  // The print view measures each slide once: after the math is typeset and the figures are in.
  window.addEventListener('load', () => MathJax.startup.promise.then(startDeck));
} else {
  startDeck();
}
</script>
{%- endblock footer_js -%}
"""

INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>xentlearn · slide decks</title>
<style>body {{ font-family: sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; }}
li {{ margin: 0.4em 0; }}</style>
</head>
<body>
<h1>xentlearn · slide decks</h1>
<p>Each chapter as slides, from its stored outputs. Keys: space or arrows to move, S for the
speaker view (the chapter's text as notes), F for full screen, Esc for an overview. To print
a deck or save it as PDF, open its <em>print</em> link and print from the browser (landscape,
no margins, background graphics on).</p>
<ul>
{items}
</ul>
</body>
</html>
"""


class DeckError(RuntimeError):
    """A deck cannot be built; the message says what to fix."""


def npm_tarball(package: str, version: str) -> Path:
    """npm's tarball of ``package@version`` in ``_build/cache/``, fetched once with ``npm pack``."""
    tarball = CACHE / f"{package.replace('/', '-').lstrip('@')}-{version}.tgz"
    if tarball.exists():
        return tarball
    npm = shutil.which("npm")
    if npm is None:
        raise DeckError(f"the decks need {package} from npm's registry, and npm is missing: "
                        "install Node.js and npm (apt-get install npm)")
    CACHE.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([npm, "pack", f"{package}@{version}", "--silent"], cwd=CACHE,
                            capture_output=True, text=True)
    if result.returncode or not tarball.exists():
        raise DeckError(f"npm pack {package}@{version} failed:\n{result.stderr.strip()}")
    return tarball


def unpack(tarball: Path, wanted: tuple[str, ...], dest: Path, strip: str = "") -> int:
    """Unpack the members of ``tarball`` under ``package/`` whose path is one of ``wanted`` or
    lies in one of its folders into ``dest``, without the prefix ``package/`` + ``strip``;
    how many files."""
    if dest.exists():
        shutil.rmtree(dest)
    with tarfile.open(tarball) as tar:
        members, found = [], set()
        for m in tar.getmembers():
            path = m.name.removeprefix("package/")
            hit = next((w for w in wanted if path == w or path.startswith(w + "/")), None)
            if m.isfile() and hit is not None:
                found.add(hit)
                m.name = path.removeprefix(strip)
                members.append(m)
        missing = sorted(set(wanted) - found)
        if missing:
            raise DeckError(f"{tarball.name} has no {missing}")
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, members=members, filter="data")
        else:  # Python 3.10 before 3.10.12
            tar.extractall(dest, members=members)
    return len(members)


def install_assets(out: Path) -> None:
    """reveal.js and MathJax in ``out``, beside the decks."""
    unpack(npm_tarball("reveal.js", REVEAL_VERSION), REVEAL_FILES, out / "reveal.js")
    unpack(npm_tarball("mathjax", MATHJAX_VERSION), MATHJAX_FILES, out / "mathjax", "es5/")


def title(nb) -> str:
    """The chapter's title: its first heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#{1,3} (.+)$", cell.source, re.M)
            if match:
                return match.group(1).strip()
    return "xentlearn"


def exporter():
    from jinja2 import DictLoader
    from nbconvert.exporters import SlidesExporter

    return SlidesExporter(
        extra_loaders=[DictLoader({"xentlearn_deck.html.j2": TEMPLATE})],
        template_file="xentlearn_deck.html.j2",
        reveal_url_prefix="reveal.js", reveal_theme="white", reveal_transition="none",
        reveal_number="c/t", reveal_width=str(WIDTH), reveal_height=str(HEIGHT),
        exclude_input_prompt=True, exclude_output_prompt=True)


def build_deck(path: Path, out: Path, export=None) -> tuple[Path, str]:
    """``path``'s deck as ``out/<its name>.html``, and the chapter's title."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    if not any("slideshow" in c.metadata for c in nb.cells):
        raise DeckError(f"{path.name} has no slide metadata: run python scripts/slides.py")
    nb.metadata["title"] = title(nb)
    body, _ = (export or exporter()).from_notebook_node(nb, resources={"metadata": {
        "name": path.stem}})
    body = link_decks(body, path.parent)
    away = sorted(set(LOADS_AWAY.findall(body)))
    if away:
        raise DeckError(f"{path.name}: the deck would load {away[:5]} from another machine")
    target = out / f"{path.stem}.html"
    target.write_text(body, encoding="utf-8")
    return target, nb.metadata["title"]


def link_decks(body: str, folder: Path) -> str:
    """Links to another chapter (``NN_name.ipynb`` beside this one) go to its deck; other
    links stay as they are (on the site, ``../exercises/NN_name.ipynb`` is the download)."""
    def deck(match: re.Match) -> str:
        stem, anchor = match.group(1), match.group(2) or ""
        if (folder / f"{stem}.ipynb").exists():
            return f'href="{stem}.html{anchor}"'
        return match.group(0)

    return re.sub(r'href="(\d\d_[\w-]+)\.ipynb(#[^"]*)?"', deck, body)


def write_index(out: Path, decks: list[tuple[Path, str]]) -> Path:
    items = "\n".join(
        f'<li><a href="{d.name}">{html.escape(t)}</a> · '
        f'<a href="{d.name}?print-pdf">print</a> · '
        f'<a href="{d.name}?print-pdf&amp;showNotes=separate-page">print with the notes</a>'
        '</li>' for d, t in decks)
    index = out / "index.html"
    index.write_text(INDEX.format(items=items), encoding="utf-8")
    return index


def build(paths: list[Path], out: Path = OUT) -> list[Path]:
    """The decks of ``paths`` in ``out``, with reveal.js, MathJax and an index page (decks
    of an earlier build that ``paths`` no longer make are removed)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("[0-9][0-9]_*.html"):
        old.unlink()
    install_assets(out)
    export = exporter()
    decks = [build_deck(path, out, export) for path in paths]
    write_index(out, decks)
    return [d for d, _ in decks]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT.relative_to(ROOT)}")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    start = time.perf_counter()
    try:
        decks = build(paths, args.out)
    except DeckError as err:
        print(f"make decks: {err}", file=sys.stderr)
        return 1
    for deck in decks:
        print(deck)
    print(f"{len(decks)} decks in {time.perf_counter() - start:.1f} s: {args.out}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
