"""The pipelines user guide runs as written."""

import re
from pathlib import Path

import numpy as np
import pandas as pd

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "user_guide" / "pipelines.rst"
_PYTHON_BLOCK = re.compile(r"\.\. code-block:: python\n\n((?:   .*\n|[ \t]*\n)+)")


def test_pipelines_guide_code_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = _PYTHON_BLOCK.findall(GUIDE.read_text())
    assert len(blocks) == 3
    results = []
    for block in blocks:
        namespace = {}
        lines = [line[3:] for line in block.splitlines() if line.strip()]
        # Each block ends in an expression, whose value the test checks.
        code = "\n".join(lines[:-1] + [f"_result = ({lines[-1].split('  #')[0]})"])
        exec(compile(code, str(GUIDE), "exec"), namespace)  # noqa: S102
        results.append((namespace, namespace["_result"]))

    (_, sampled), (augment, scores), (_, sequences) = results
    assert sampled.shape == (1000, 2) and (sampled > 0).all()
    assert scores.shape == (3,) and np.isfinite(scores).all()
    assert sequences.shape == (1000, 5, 24)
    # The synthetic rows keep the category dtype the classifier reads.
    X, y = augment["X"], augment["y"]
    X_res, _ = augment["pipe"].named_steps["augment"].fit_resample(X, y)
    assert len(X_res) > len(X)
    assert X_res.dtypes.equals(X.dtypes)
    assert all(isinstance(d, pd.CategoricalDtype) for d in X.dtypes if d != "int64")
