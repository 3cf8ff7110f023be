"""The public API's docstrings pass numpydoc's validation.

Public means the names in ``__all__`` of the modules below, and the methods and
properties that their classes define themselves (not those inherited from
scikit-learn).
"""

import dataclasses
import importlib
import inspect

import pytest
from numpydoc.docscrape import ClassDoc
from numpydoc.validate import validate

MODULES = [
    "sksynth",
    "sksynth.datasets",
    "sksynth.evaluation",
    "sksynth.pipeline",
    "sksynth.utils.estimator_checks",
]

# numpydoc checks this project does not follow, and why.
IGNORED = {
    # A summary line is often all a short function or method needs.
    "ES01",
    # Cross-references are written where they help, in the text or See Also.
    "SA01",
    # scikit-learn's convention names a single return value ("self : object").
    "RT02",
}


def _public_objects():
    """(dotted name, object) of every public class, function and method."""
    found = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # __version__
            found[f"{obj.__module__}.{obj.__qualname__}"] = obj
            if inspect.isclass(obj):
                for attribute, member in vars(obj).items():
                    if not attribute.startswith("_") and _is_documented_member(member):
                        found[f"{obj.__module__}.{obj.__qualname__}.{attribute}"] = (
                            member
                        )
    return sorted(found.items())


def _is_documented_member(member):
    return isinstance(member, (property, classmethod, staticmethod)) or (
        inspect.isfunction(member)
    )


def _needs_example(obj):
    """Functions and the classes users build have an Examples section.

    Methods and properties are shown in their class's example; an abstract base
    has no instance to show; a result record is shown in the example of the
    function that returns it.
    """
    if inspect.isfunction(obj):
        return "." not in obj.__qualname__
    return (
        inspect.isclass(obj)
        and not inspect.isabstract(obj)
        and not dataclasses.is_dataclass(obj)
    )


def _undocumented_fields(record):
    """Fields of a result record missing from its Attributes section."""
    documented = set()
    for attribute in ClassDoc(record)["Attributes"]:
        documented.update(name.strip() for name in attribute.name.split(","))
    return {field.name for field in dataclasses.fields(record)} - documented


@pytest.mark.parametrize(
    "name, obj", [pytest.param(name, obj, id=name) for name, obj in _public_objects()]
)
def test_docstring_is_valid_numpydoc(name, obj):
    ignored = set(IGNORED)
    if not _needs_example(obj):
        ignored.add("EX01")
    if dataclasses.is_dataclass(obj):
        # A record's fields are documented once, as Attributes.
        ignored.add("PR01")
        assert not _undocumented_fields(obj)
    errors = [
        f"{code}: {message}"
        for code, message in validate(name)["errors"]
        if code not in ignored
    ]
    assert not errors, "\n".join(errors)
