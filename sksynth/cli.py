"""The ``sksynth`` command."""

import argparse
import sys
import time
from pathlib import Path


class CommandError(Exception):
    """An error to report as one line on stderr, with a non-zero exit."""


def _demo(args):
    """Fit TimeGAN on the bundled Stocks data, write samples, a PCA plot, scores."""
    import pandas as pd
    import torch

    from sksynth import TimeGANSampler
    from sksynth.datasets import load_stocks
    from sksynth.evaluation import discriminative_score, plot_pca

    output = Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    X = load_stocks(seq_len=24)
    columns = list(load_stocks(as_frame=True).columns)
    print(
        f"Stocks: {X.shape[0]} windows x {X.shape[1]} channels x {X.shape[2]} days "
        f"(min-max scaled); TimeGAN with n_iter={args.n_iter} steps per phase."
    )
    sampler = TimeGANSampler(
        n_iter=args.n_iter, device=args.device, random_state=args.seed, verbose=1
    )
    start = time.perf_counter()
    sampler.fit(X)
    print(f"Fitted on {sampler.device_} in {time.perf_counter() - start:.0f} s.")

    X_synth = sampler.sample(len(X), random_state=args.seed)
    index = pd.MultiIndex.from_product(
        [range(len(X_synth)), range(X_synth.shape[2])], names=["instance", "timepoint"]
    )
    frame = pd.DataFrame(
        X_synth.transpose(0, 2, 1).reshape(-1, X_synth.shape[1]),
        index=index,
        columns=columns,
    )
    samples_path = output / "stocks_synthetic.csv"
    frame.to_csv(samples_path)
    figure = plot_pca(X, X_synth, random_state=args.seed)
    pca_path = output / "stocks_pca.png"
    figure.savefig(pca_path, dpi=120)
    score = discriminative_score(X, X_synth, random_state=args.seed, device=args.device)
    print(f"Discriminative score (|accuracy - 0.5|, 0 is best): {score:.3f}")
    print(f"Wrote {samples_path} and {pca_path}.")


def build_parser():
    """The argument parser of the ``sksynth`` command."""
    parser = argparse.ArgumentParser(
        prog="sksynth", description="Synthetic tables and time series."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="fit TimeGAN on the bundled Stocks data and write samples and a plot",
    )
    demo.add_argument("--n-iter", type=int, default=300, help="steps per phase")
    demo.add_argument("--output-dir", default="sksynth-demo", help="output folder")
    demo.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    demo.add_argument("--seed", type=int, default=0, help="random seed")
    # Small recurrent nets gain nothing from a second intra-op thread, and two
    # threads on a busy two-core machine can slow each step a hundredfold.
    demo.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv=None):
    """Run the ``sksynth`` command; returns only on success."""
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except (CommandError, ValueError, OSError) as exc:
        print(f"sksynth {args.command}: error: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
