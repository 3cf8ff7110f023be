"""GANSampler on large tables: time and memory against the number of rows.

A synthetic table of 30 columns (20 numeric: Gaussian mixtures, log-normal
and bounded ones; 10 categorical with 5 to 32 categories, half of them of
``category`` dtype and half object strings) is fitted for one epoch
(``epochs=1, min_steps=0``) and sampled at 10,000, 100,000 and 1,000,000
rows. Each size runs in two fresh processes, so that each peak resident set
size belongs to one job: the first builds the table, fits and saves the model;
the second loads it and samples twice as many rows as the table has.

Recorded per size: fit seconds (and of those, the encoder's seconds), seconds
per epoch, sampling rows per second, and the peak RSS of each process. Results
go to ``benchmarks/results/gan_scale.json`` (with the commit, machine and
threads), the picture to ``docs/_static/gan_scale.png`` and the table to
``docs/gan_scale_benchmark.md``. Usage::

    python benchmarks/gan_scale.py --rows 10000 100000 1000000
    python benchmarks/gan_scale.py --render
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pages import markdown_table
from provenance import provenance

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "gan_scale.json"
PAGE = ROOT / "docs" / "gan_scale_benchmark.md"
PICTURE = ROOT / "docs" / "_static" / "gan_scale.png"
# Earlier runs of this script, newest first, and what has changed since.
EARLIER = [
    (
        ROOT / "benchmarks" / "results" / "gan_scale_unfolded.json",
        "before sampling ran the folded generator and decoded categorical "
        "columns straight from their codes",
    ),
    (
        ROOT / "benchmarks" / "results" / "gan_scale_before.json",
        "with the benchmark script uncommitted and the package as committed, "
        "before training rows were kept compactly and sampling decoded chunk "
        "by chunk",
    ),
]
N_NUMERIC = 20
N_CATEGORICAL = 10


def make_table(n_rows, seed=0):
    """The benchmark table: 20 numeric and 10 categorical columns."""
    rng = np.random.default_rng(seed)
    columns = {}
    for j in range(N_NUMERIC):
        kind = j % 3
        if kind == 0:  # a two-mode Gaussian mixture
            mode = rng.random(n_rows) < 0.3
            values = np.where(
                mode, rng.normal(-2, 0.5, n_rows), rng.normal(3, 1, n_rows)
            )
        elif kind == 1:  # skewed and positive
            values = rng.lognormal(mean=1.0, sigma=0.8, size=n_rows)
        else:  # bounded
            values = rng.beta(2, 5, n_rows) * 100
        columns[f"num_{j}"] = values
    for j in range(N_CATEGORICAL):
        n_categories = 5 + (27 * j) // (N_CATEGORICAL - 1)
        weights = rng.dirichlet(np.ones(n_categories))
        codes = rng.choice(n_categories, n_rows, p=weights)
        names = np.array([f"c{j}_{k}" for k in range(n_categories)], dtype=object)
        if j % 2:
            columns[f"cat_{j}"] = names[codes]
        else:
            columns[f"cat_{j}"] = pd.Categorical.from_codes(codes, names)
    return pd.DataFrame(columns)


def _peak_rss_gb():
    # ru_maxrss is in kibibytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _timed_encoder():
    """Wrap ``TabularEncoder.fit_transform`` to record its seconds."""
    from sksynth.tabular._encoder import TabularEncoder

    seconds = []
    fit_transform = TabularEncoder.fit_transform

    def timed(self, *args, **kwargs):
        start = time.perf_counter()
        result = fit_transform(self, *args, **kwargs)
        seconds.append(time.perf_counter() - start)
        return result

    TabularEncoder.fit_transform = timed
    return seconds


def fit_job(n_rows, model_path, threads):
    """Build the table, fit one epoch and save; print the measurements as JSON."""
    import torch

    from sksynth import GANSampler

    torch.set_num_threads(threads)
    table = make_table(n_rows)
    encoder_seconds = _timed_encoder()
    sampler = GANSampler(epochs=1, min_steps=0, device="cpu", random_state=0)
    start = time.perf_counter()
    sampler.fit(table)
    fit_seconds = time.perf_counter() - start
    sampler.save(model_path)
    return {
        "fit_seconds": fit_seconds,
        "encoder_seconds": encoder_seconds[0],
        "seconds_per_epoch": (fit_seconds - encoder_seconds[0]) / sampler.n_iter_,
        "fit_peak_rss_gb": _peak_rss_gb(),
        # Other work on the machine slows a job; memory does not depend on it.
        "fit_load_average": os.getloadavg()[0],
    }


def sample_job(n_rows, model_path, threads):
    """Load the model and sample 2 × n_rows rows; print the measurements."""
    import torch

    from sksynth import GANSampler

    torch.set_num_threads(threads)
    sampler = GANSampler.load(model_path)
    sampler.sample(1_000, random_state=0)  # warm-up: first-call costs
    n_samples = 2 * n_rows
    start = time.perf_counter()
    table = sampler.sample(n_samples, random_state=1)
    seconds = time.perf_counter() - start
    assert len(table) == n_samples
    return {
        "sample_rows": n_samples,
        "sample_seconds": seconds,
        "sample_rows_per_second": n_samples / seconds,
        **_network_speeds(sampler),
        "sample_peak_rss_gb": _peak_rss_gb(),
        "sample_load_average": os.getloadavg()[0],
    }


def _network_speeds(sampler, n_rows=200_000, chunk=16_384):
    """The generator network alone, on random inputs, and the core's ceiling.

    Rows per second of the network as trained (the module on its full input
    row) and as ``sample`` runs it (:class:`~sksynth._core.nn.FoldedGenerator`, one
    categorical condition per row, as in this table, working in one tensor
    for every chunk), side by side on the same thread and chunk size; the
    folded network's multiply-adds per row; and the best rate of a large fp32
    matrix product on this thread, at which those multiply-adds set a ceiling
    on rows per second.
    """
    import torch

    from sksynth._core.nn import FoldedGenerator

    generator = sampler.generator_
    n_noise = sampler.embedding_dim
    folded = FoldedGenerator(generator, n_noise, 0)
    inputs = torch.randn(chunk, generator.blocks[0].linear.in_features)
    noise = inputs[:, :n_noise].contiguous()
    ones = torch.randint(folded.n_one_hot, (chunk, 1))
    work = torch.empty(chunk, folded.work_width)
    with torch.no_grad():
        module = _rows_per_second(lambda: generator(inputs), n_rows, chunk)
    weights = folded.source_weights
    multiply_adds = n_noise * weights[0].shape[1] + sum(w.numel() for w in weights[1:])
    return {
        "generator_rows_per_second": module,
        "folded_generator_rows_per_second": _rows_per_second(
            lambda: folded(noise, ones, out=work), n_rows, chunk
        ),
        "folded_flops_per_row": 2 * multiply_adds,
        "matmul_gflops": _matmul_gflops(),
    }


def _rows_per_second(forward, n_rows, chunk):
    forward()
    start = time.perf_counter()
    for _ in range(n_rows // chunk):
        forward()
    return (n_rows // chunk) * chunk / (time.perf_counter() - start)


def _matmul_gflops(size=2048, repeats=5):
    """The best of ``repeats`` fp32 products of two size × size matrices."""
    import torch

    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def _run_job(job, n_rows, model_path, threads):
    command = [sys.executable, __file__, "--job", job, "--rows", str(n_rows)]
    command += ["--model", str(model_path), "--threads", str(threads)]
    env = {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    output = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(sizes, threads):
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    runs = {run["rows"]: run for run in results.get("runs", [])}
    with tempfile.TemporaryDirectory() as folder:
        for n_rows in sizes:
            model_path = Path(folder) / f"gan_{n_rows}.pt"
            run = {"rows": n_rows, "columns": N_NUMERIC + N_CATEGORICAL}
            run.update(_run_job("fit", n_rows, model_path, threads))
            run.update(_run_job("sample", n_rows, model_path, threads))
            print(json.dumps(run), flush=True)
            runs[n_rows] = run
    results = {**provenance(threads), "runs": [runs[n] for n in sorted(runs)]}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


def render(results):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = results["runs"]
    rows = [run["rows"] for run in runs]
    fig, (time_ax, memory_ax) = plt.subplots(1, 2, figsize=(9, 3.6))
    time_ax.loglog(
        rows, [r["seconds_per_epoch"] for r in runs], "o-", label="fit, per epoch"
    )
    time_ax.loglog(rows, [r["encoder_seconds"] for r in runs], "s-", label="encoder")
    time_ax.loglog(
        rows,
        [2 * r["rows"] / r["sample_rows_per_second"] for r in runs],
        "^-",
        label="sample 2 × rows",
    )
    time_ax.set(xlabel="rows", ylabel="seconds", title="Time (one thread)")
    time_ax.legend()
    memory_ax.semilogx(rows, [r["fit_peak_rss_gb"] for r in runs], "o-", label="fit")
    memory_ax.semilogx(
        rows, [r["sample_peak_rss_gb"] for r in runs], "^-", label="sample"
    )
    memory_ax.axhline(4, color="grey", linestyle=":", label="4 GB")
    memory_ax.set(xlabel="rows", ylabel="peak RSS (GB)", title="Memory")
    memory_ax.legend()
    fig.tight_layout()
    fig.savefig(PICTURE, dpi=120)

    lines = [
        "# GANSampler on large tables",
        "",
        "Generated by `benchmarks/gan_scale.py` from",
        "`benchmarks/results/gan_scale.json`: a table of 30 columns (20 numeric,",
        "10 categorical with 5–32 categories), `GANSampler(epochs=1, min_steps=0)`,",
        "fit and saved in one process, loaded and sampled (twice the table's rows)",
        "in another, so each peak resident set size belongs to one job.",
        "",
        f"Machine: {results['machine']}; torch threads: {results['threads']}; "
        f"commit `{results['commit']}`.",
        "",
        "![time and memory against rows](_static/gan_scale.png)",
        "",
    ]
    lines += _table(runs)
    for path, change in EARLIER:
        if not path.exists():
            continue
        before = json.loads(path.read_text())
        lines += [
            "",
            f"The same script at commit `{before['commit'][:10]}`, {change}; "
            "memory compares directly, seconds only as far as the machine's "
            "load was alike:",
            "",
            *_table(before["runs"]),
        ]
    by_rows = {r["rows"]: r for r in runs}
    if 100_000 in by_rows and 1_000_000 in by_rows:
        small, large = by_rows[100_000], by_rows[1_000_000]
        ratio = large["seconds_per_epoch"] / (10 * small["seconds_per_epoch"])
        lines += [
            "",
            "Seconds per epoch at 1,000,000 rows are "
            f"{ratio:.2f} × ten times those at 100,000 rows.",
        ]
    lines += _network_text(runs[-1])
    PAGE.write_text("\n".join(lines) + "\n")


def _network_text(run):
    """What the largest run says of the network's share and the core's ceiling."""
    if "folded_generator_rows_per_second" not in run:
        return []
    network = run["folded_generator_rows_per_second"]
    megaflops = run["folded_flops_per_row"] / 1e6
    ceiling = run["matmul_gflops"] * 1e9 / run["folded_flops_per_row"]
    return [
        "",
        f"Sampling {run['sample_rows']:,} rows ran at "
        f"{run['sample_rows_per_second']:,.0f} rows/s. In the same process, "
        "on random inputs and the same chunk size, the generator alone ran at "
        f"{run['generator_rows_per_second']:,.0f} rows/s as trained and "
        f"{network:,.0f} rows/s folded, as `sample` runs it "
        f"({network / run['generator_rows_per_second']:.2f}×): the network "
        f"takes {run['sample_rows_per_second'] / network:.0%} of the sampling "
        "time; the rest draws the noise and conditions, decodes and builds "
        "the table.",
        "",
        f"The folded generator needs {megaflops:.2f} MFLOP per row. The best "
        "fp32 matrix product on this thread (2048 × 2048) ran at "
        f"{run['matmul_gflops']:.0f} GFLOP/s; at that rate of arithmetic no "
        f"fp32 sampling of this network goes beyond {ceiling:,.0f} rows/s on "
        "this core; "
        f"400,000 rows/s would take {0.4 * megaflops * 1e3:.0f} GFLOP/s, "
        f"{0.4e6 / ceiling:.1f} × what it does.",
    ]


def _table(runs):
    header = ["rows", "encoder s", "s per epoch", "fit peak RSS (GB)"]
    header += ["sampling rows/s", "generator alone rows/s, as trained", "folded"]
    header += ["sample peak RSS (GB)"]
    header += ["load average (fit / sample)"]
    rows = []
    for r in runs:
        generator = r.get("generator_rows_per_second")
        folded = r.get("folded_generator_rows_per_second")
        loads = [r.get("fit_load_average"), r.get("sample_load_average")]
        rows.append(
            [
                f"{r['rows']:,}",
                f"{r['encoder_seconds']:.2f}",
                f"{r['seconds_per_epoch']:.1f}",
                f"{r['fit_peak_rss_gb']:.2f}",
                f"{r['sample_rows_per_second']:,.0f}",
                "not measured" if generator is None else f"{generator:,.0f}",
                "not measured" if folded is None else f"{folded:,.0f}",
                f"{r['sample_peak_rss_gb']:.2f}",
                " / ".join("not recorded" if v is None else f"{v:.1f}" for v in loads),
            ]
        )
    return markdown_table(header, rows, numeric_from=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000]
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--render", action="store_true")
    parser.add_argument("--job", choices=["fit", "sample"])
    parser.add_argument("--model")
    args = parser.parse_args()
    if args.job:
        job = fit_job if args.job == "fit" else sample_job
        print(json.dumps(job(args.rows[0], args.model, args.threads)))
        return
    if args.render:
        render(json.loads(RESULTS.read_text()))
        return
    render(measure(args.rows, args.threads))


if __name__ == "__main__":
    main()
