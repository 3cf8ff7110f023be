"""The package's architecture: imports point one way, and ``import sksynth`` is light.

Layers, bottom up: ``_core`` (imports nothing else from sksynth); ``base``;
the samplers ``tabular`` and ``timeseries`` (which never import each other nor
``evaluation``); ``pipeline`` and ``oversampling``; ``_demo``; ``_cli``.
``evaluation`` and ``datasets`` stand beside the samplers and import ``_core``
only; ``utils`` (the shipped contract checks) may use the public API.
"""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import sksynth

PACKAGE = Path(sksynth.__file__).parent

# What each part of the package may import from the rest of sksynth.
ALLOWED = {
    "_core": {"_core"},
    "base": {"_core"},
    "tabular": {"_core", "base", "tabular"},
    "timeseries": {"_core", "base", "timeseries"},
    "evaluation": {"_core", "evaluation"},
    "datasets": {"_core", "datasets"},
    "pipeline": {"_core", "base", "tabular", "timeseries", "oversampling"},
    "oversampling": {"_core", "base", "tabular", "timeseries"},
    "utils": {
        "_core",
        "base",
        "tabular",
        "timeseries",
        "pipeline",
        "datasets",
        "utils",
        "",
    },
    "_demo": {"_core", "base", "tabular", "timeseries", "evaluation", "datasets", ""},
    "_cli": {
        "_core",
        "base",
        "tabular",
        "timeseries",
        "pipeline",
        "evaluation",
        "datasets",
        "_demo",
        "",
    },
    "__main__": {"_cli"},
    # The package's face re-exports the public names.
    "": {"base", "pipeline", "tabular", "timeseries", "oversampling"},
}


def _part(module):
    """The part of the package a dotted module name (without ``sksynth``) is in."""
    return module.split(".")[0]


def _imports(path, module):
    """The sksynth modules that the file at ``path`` imports, as dotted names.

    Names are relative to ``sksynth`` ("" for the package itself). Imports
    inside functions count too: a lazy import still points somewhere.
    """
    package = (
        module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    )
    package = [p for p in package if p]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "sksynth" or alias.name.startswith("sksynth."):
                    found.append(alias.name.removeprefix("sksynth").lstrip("."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module == "sksynth" or node.module.startswith("sksynth."):
                target = node.module.removeprefix("sksynth").lstrip(".")
            else:
                continue
            # In ``from package import x``, x may be a module of its own.
            for alias in node.names:
                sub = f"{target}.{alias.name}".lstrip(".")
                found.append(sub if _module_path(path, sub) else target)
    return found


def _module_path(path, module):
    root = path
    while root.name != "sksynth" and root.parent != root:
        root = root.parent
    candidate = root.joinpath(*module.split("."))
    return candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists()


def forbidden_imports(package_dir):
    """Every import in ``package_dir`` that points the wrong way, as text lines."""
    problems = []
    for path in sorted(Path(package_dir).rglob("*.py")):
        relative = path.relative_to(package_dir).with_suffix("")
        parts = [p for p in relative.parts if p != "__init__"]
        module = ".".join(parts)
        source = _part(module) if parts else ""
        allowed = ALLOWED[source]
        for target in _imports(path, module):
            if _part(target) not in allowed:
                problems.append(f"{relative}.py imports sksynth.{target}".rstrip("."))
    return problems


def test_imports_point_one_way():
    assert forbidden_imports(PACKAGE) == []


def test_every_part_of_the_package_has_a_rule():
    parts = {
        _part(".".join(p for p in path.relative_to(PACKAGE).with_suffix("").parts))
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py" or path.parent != PACKAGE
    }
    assert parts <= set(ALLOWED)


def _copy_package(tmp_path):
    copy = tmp_path / "sksynth"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_an_upward_import_from_core_is_caught(tmp_path):
    copy = _copy_package(tmp_path)
    with open(copy / "_core" / "devices.py", "a") as file:
        file.write("\n\ndef _late():\n    from ..evaluation import plots\n")
    assert forbidden_imports(copy) == [
        "_core/devices.py imports sksynth.evaluation.plots"
    ]


def test_samplers_importing_each_other_or_evaluation_are_caught(tmp_path):
    copy = _copy_package(tmp_path)
    with open(copy / "tabular" / "_layout.py", "a") as file:
        file.write("\nfrom ..timeseries import _marginals\n")
    with open(copy / "timeseries" / "_marginals.py", "a") as file:
        file.write("\nfrom sksynth.evaluation.diagnosis import distribution_gap\n")
    with open(copy / "evaluation" / "tstr.py", "a") as file:
        file.write("\nfrom ..tabular._encoder import TabularEncoder\n")
    assert sorted(forbidden_imports(copy)) == [
        "evaluation/tstr.py imports sksynth.tabular._encoder",
        "tabular/_layout.py imports sksynth.timeseries._marginals",
        "timeseries/_marginals.py imports sksynth.evaluation.diagnosis",
    ]


def test_import_sksynth_loads_no_plotting_skorch_or_manifold():
    heavy = [
        "matplotlib",
        "skorch",
        "sklearn.manifold",
        "imblearn",
        "sksynth.evaluation",
    ]
    code = f"import sys, sksynth; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_lazy_public_names_still_import():
    from sksynth import GANOverSampler
    from sksynth.pipeline import GANOverSampler as from_pipeline

    assert GANOverSampler is from_pipeline
    assert "GANOverSampler" in sksynth.__all__
