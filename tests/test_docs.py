"""The documentation's quickstart runs as written."""

import ast
import re
from pathlib import Path

import numpy as np

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
    shapes = re.findall(r"^(\w+) = .*# (\(.*\))$", block, flags=re.M)
    assert [name for name, _ in shapes] == ["X", "X_synth"]
    for name, shape in shapes:
        assert namespace[name].shape == ast.literal_eval(shape), name
    printed = float(capsys.readouterr().out.strip())
    # The score it prints tells data apart: its last line, run on noise in
    # place of the synthetic draws, scores near 0.5 (told apart every time),
    # and the sampler's draws score lower.
    last_line = block.strip().splitlines()[-1]
    assert "X_synth" in last_line
    namespace["noise"] = np.random.default_rng(0).uniform(size=namespace["X"].shape)
    exec(last_line.replace("X_synth", "noise"), namespace)  # noqa: S102
    noise_score = float(capsys.readouterr().out.strip())
    assert noise_score > 0.4
    assert printed < noise_score - 0.1


def _readme_ci_command(name):
    """The first line of the code block after ``<!-- ci:NAME -->`` (as .ci/run)."""
    after_marker = README.read_text().split(f"<!-- ci:{name} -->\n", 1)[1]
    return after_marker.split("```bash\n", 1)[1].splitlines()[0]


def test_quickstart_install_commands_are_the_ones_ci_runs():
    # .ci/run executes the README's ci:install and ci:install-user commands on a
    # fresh machine; the quickstart must give the same ones.
    bash_blocks = re.findall(
        r"\.\. code-block:: bash\n\n((?:   .*\n)+)", QUICKSTART.read_text()
    )
    commands = [line.strip() for block in bash_blocks for line in block.splitlines()]
    assert commands == [
        _readme_ci_command("install-user"),
        _readme_ci_command("install").split(" && ")[0],
    ]
    assert "pip install sksynth" not in QUICKSTART.read_text()
    assert "pip install sksynth" not in README.read_text()
