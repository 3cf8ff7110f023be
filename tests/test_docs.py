"""The documentation's quickstart runs as written."""

import re
from pathlib import Path

QUICKSTART = Path(__file__).resolve().parents[1] / "docs" / "quickstart.rst"
_PYTHON_BLOCK = re.compile(r"\.\. code-block:: python\n\n((?:   .*\n|[ \t]*\n)+)")


def test_quickstart_code_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = _PYTHON_BLOCK.findall(QUICKSTART.read_text())
    assert len(blocks) >= 5
    namespace = {}
    for block in blocks:
        code = "\n".join(line[3:] for line in block.splitlines())
        exec(compile(code, str(QUICKSTART), "exec"), namespace)  # noqa: S102
    assert namespace["synthetic"].dtypes.equals(namespace["adult"].dtypes)
    assert set(namespace["y_rich"]) == {">50K"}
    assert namespace["X_synth"].shape == (200, 5, 24)


README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_quickstart_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (block,) = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    namespace = {}
    exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    assert namespace["X_synth"].shape == (500, 3, 24)
    printed = float(capsys.readouterr().out.strip())
    assert 0 <= printed <= 0.5
