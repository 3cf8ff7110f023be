"""``sksynth demo``: the first thing a new user runs.

TimeGANSampler at its defaults, on a short budget, fitted on the bundled Stocks
data;
synthetic sequences, PCA and t-SNE pictures of real against synthetic, and the
discriminative score.
"""

import time
from pathlib import Path

# The demo's budget: about 3 minutes on two CPU cores, fit and scoring together.
DEMO_N_ITER_PRETRAIN = 600
DEMO_N_ITER = 800


def run_demo(output_dir, *, n_iter_pretrain, n_iter, device, seed, threads):
    """Fit, sample, score and draw; write the files into ``output_dir``."""
    import torch

    from sksynth import TimeGANSampler
    from sksynth._core.output_files import atomic_output, check_writable
    from sksynth._core.panels import numpy3d_to_panel
    from sksynth.datasets import load_stocks
    from sksynth.evaluation import discriminative_score, plot_pca, plot_tsne

    output = Path(output_dir)
    check_writable(output, folder=True)
    output.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(threads)
    X = load_stocks(seq_len=24)
    columns = list(load_stocks(as_frame=True).columns)
    sampler = TimeGANSampler(
        n_iter=n_iter,
        n_iter_pretrain=n_iter_pretrain,
        device=device,
        random_state=seed,
        verbose=1,
    )
    print(
        f"Stocks: {X.shape[0]} windows x {X.shape[1]} channels x {X.shape[2]} days "
        f"(min-max scaled); TimeGANSampler() at its defaults with "
        f"n_iter_pretrain={n_iter_pretrain} and n_iter={n_iter} "
        "(a short budget; docs/timegan_budget_benchmark.md has longer ones)."
    )
    start = time.perf_counter()
    sampler.fit(X)
    print(f"Fitted on {sampler.device_} in {time.perf_counter() - start:.0f} s.")

    X_synth = sampler.sample(len(X), random_state=seed)
    frame = numpy3d_to_panel(X_synth, "pd-multiindex", columns)
    frame.index = frame.index.set_names(["instance", "timepoint"])
    samples_path = output / "stocks_synthetic.csv"
    with atomic_output(samples_path) as file:
        frame.to_csv(file)
    pictures = []
    # t-SNE on 500 sequences of each set: a tenth of the demo's time, not half.
    for name, plot, n_shown in (("pca", plot_pca, 1000), ("tsne", plot_tsne, 500)):
        path = output / f"stocks_{name}.png"
        figure = plot(X, X_synth, n_samples=n_shown, random_state=seed)
        with atomic_output(path) as file:
            figure.savefig(file, format="png", dpi=120)
        pictures.append(str(path))
    score = discriminative_score(
        X, X_synth, n_repeats=3, random_state=seed, device=device
    )
    print(
        "Discriminative score (|accuracy - 0.5| of a classifier telling real "
        f"from synthetic; 0 is best, TimeGAN paper 0.102): {score}"
    )
    print(f"Wrote {samples_path}, {' and '.join(pictures)}.")
