"""Sphinx configuration of the sksynth documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html``.
"""

import os
import re
import sys
from pathlib import Path

# The gallery's examples run in worker processes that inherit this: small
# networks gain nothing from a second intra-op thread, and on a busy two-core
# machine it slows them badly.
os.environ["OMP_NUM_THREADS"] = "1"

import sksynth  # noqa: E402

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))  # for gallery_scraper

project = "sksynth"
author = "the sksynth developers"
copyright = "the sksynth developers"
release = sksynth.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]


# The examples gallery: every examples/plot_*.py runs at each build, and a
# failing example fails the build.
sphinx_gallery_conf = {
    # Ours first: it must see pyplot figures before the matplotlib scraper
    # saves and closes them.
    "image_scrapers": ("gallery_scraper.figure_scraper", "matplotlib"),
    # Two examples at a time, one torch thread each (set above, inherited).
    "parallel": 2,
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
}

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.md", "auto_examples/*.ipynb"]

# API reference: one page per public object, generated from the docstrings.
autosummary_generate = True
autodoc_default_options = {"members": True}
autodoc_typehints = "none"
# Methods are listed by the autosummary class template; numpydoc's own member
# tables would list every method twice.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Pages written by benchmark scripts are plain markdown tables.
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = f"sksynth {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path = []

# Benchmark scripts write markdown pages named ``*benchmark*.md`` into docs/.
# They appear on the results page as they are produced; none is typed by hand.
_RESULTS_PAGE = "benchmarks_results"


def _result_pages():
    return sorted(path.stem for path in DOCS.glob("*benchmark*.md"))


def _add_result_pages(app, docname, source):
    if docname != _RESULTS_PAGE:
        return
    pages = _result_pages()
    if pages:
        entries = "\n".join(f"   {page}" for page in pages)
        source[0] += f"\n\n.. toctree::\n   :maxdepth: 2\n\n{entries}\n"
    else:
        source[0] += (
            "\n\n.. note::\n\n   No benchmark has written its results yet; run the "
            "scripts under ``benchmarks/`` to produce them.\n"
        )


# Class pages show the members sksynth defines, including those inherited from
# sksynth's base classes, but not those inherited from scikit-learn or
# imbalanced-learn (documented there, with cross-references to their own docs).


def _skip_foreign_members(app, what, name, obj, skip, options):
    if what != "class" and what != "method":
        return None
    function = getattr(obj, "fget", None) or getattr(obj, "__func__", None) or obj
    module = getattr(function, "__module__", None)
    if module is not None and not module.startswith("sksynth"):
        return True
    return None


# In numpydoc type specs such as ``ndarray of shape (n_features_in_,)``,
# docutils reads a trailing underscore as a link target; render such names as
# literals. Only the type part (after " : ") of parameter lines is touched.
_TYPE_LINE = re.compile(r"^(\s*[\w*, ]+ : )(.*)$")
_UNDERSCORED_NAME = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?=[,)\s]|$)")


def _literal_underscored_types(app, what, name, obj, options, lines):
    for index, line in enumerate(lines):
        match = _TYPE_LINE.match(line)
        if match:
            spec = _UNDERSCORED_NAME.sub(r"``\1``", match.group(2))
            lines[index] = match.group(1) + spec


def setup(app):
    app.connect("source-read", _add_result_pages)
    app.connect("autodoc-skip-member", _skip_foreign_members)
    # Before numpydoc (priority 500) turns the sections into reST.
    app.connect("autodoc-process-docstring", _literal_underscored_types, priority=400)
