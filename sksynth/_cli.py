"""The ``sksynth`` command."""

import argparse
import os
import sys
import time
from pathlib import Path


class CommandError(Exception):
    """An error to report as one line on stderr, with a non-zero exit."""


def _demo(args):
    """Fit TimeGAN on the bundled Stocks data; write samples, PCA, t-SNE, scores."""
    from sksynth._demo import run_demo

    run_demo(
        args.output_dir,
        n_iter_pretrain=args.n_iter_pretrain,
        n_iter=args.n_iter,
        device=args.device,
        seed=args.seed,
        threads=args.threads,
    )


# --------------------------------------------------------------------------
# Data files: CSV or Parquet, chosen by the file name's suffix.
# --------------------------------------------------------------------------

_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz")
_PARQUET_SUFFIXES = (".parquet", ".pq")
# A panel written by ``sksynth sample`` for TimeGAN: one row per time point.
_PANEL_INDEX = ["instance", "timepoint"]


def _file_format(path):
    name = Path(path).name.lower()
    if name.endswith(_CSV_SUFFIXES):
        return "csv"
    if name.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    raise CommandError(
        f"{path}: unknown file type; use a .csv, .csv.gz, .parquet or .pq file."
    )


def _read_table(path):
    """Read a CSV or Parquet file into a DataFrame, or fail with one line."""
    import pandas as pd

    _check_input_file(path)
    kind = _file_format(path)
    try:
        frame = pd.read_csv(path) if kind == "csv" else pd.read_parquet(path)
    except Exception as exc:  # parsers raise many types for broken files
        raise CommandError(
            f"cannot read {path} as {kind}: {_first_line(exc)}"
        ) from None
    if frame.empty:
        raise CommandError(f"{path} holds no data rows.")
    return frame


def _check_input_file(path):
    """Fail with one line unless ``path`` is a regular file."""
    path = Path(path)
    if not path.exists():
        raise CommandError(f"{path}: no such file.")
    if path.is_dir():
        raise CommandError(f"{path}: is a folder, not a file.")
    if not path.is_file():
        raise CommandError(
            f"{path}: not a regular file (a pipe, device or socket); give a file."
        )


# A text cell that starts with one of these is a formula to a spreadsheet.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CSV_COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".zip": "zip", ".xz": "xz"}


def _write_table(frame, path, *, raw_csv=False):
    """Write a CSV or Parquet file whole or not at all.

    A CSV file's text cells are made safe for spreadsheets unless ``raw_csv``
    (see :func:`_spreadsheet_safe`).
    """
    from sksynth._core.output_files import atomic_output

    kind = _file_format(path)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as file:
        if kind == "parquet":
            frame.to_parquet(file, index=False)
        else:
            if not raw_csv:
                frame = _spreadsheet_safe(frame)
            frame.to_csv(file, index=False, compression=_csv_compression(path))


def _csv_compression(path):
    """The compression of a CSV file, from its name's suffix, for pandas."""
    suffix = Path(path).suffix.lower()
    method = _CSV_COMPRESSIONS.get(suffix)
    if method == "zip":  # the file in the archive keeps the name, less .zip
        return {"method": "zip", "archive_name": Path(path).name[: -len(suffix)]}
    return method


def _spreadsheet_safe(frame):
    """``frame`` with its text cells and column names safe to open in a spreadsheet.

    A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a single quote in front, so that a spreadsheet shows
    it as text instead of running it as a formula (OWASP's advice against CSV
    injection). Numbers are left as they are.
    """
    import pandas as pd

    def escaped(value):
        if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
            return "'" + value
        return value

    safe = frame.copy(deep=False)
    for j, dtype in enumerate(frame.dtypes):
        if not (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        ):
            safe.isetitem(j, frame.iloc[:, j].map(escaped))
    safe.columns = [escaped(name) for name in frame.columns]
    return safe


def _check_not_an_input(output, *inputs):
    """Refuse to write ``output`` over one of the command's input files."""
    for source in inputs:
        try:
            same = os.path.samefile(output, source)
        except OSError:  # one of them does not exist (yet)
            same = os.path.realpath(output) == os.path.realpath(source)
        if same:
            raise CommandError(
                f"{output} is the input {source}; write the output to another file."
            )


def _first_line(exc):
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _is_panel_frame(frame):
    return all(column in frame.columns for column in _PANEL_INDEX)


def _panel_from_frame(frame):
    """A long-format panel frame as a pd-multiindex panel."""
    return frame.set_index(_PANEL_INDEX).sort_index()


def _as_multiindex(X):
    """Sequences (numpy3D, or any sktime panel) as a pd-multiindex panel."""
    import numpy as np
    import pandas as pd
    from sktime.datatypes import convert_to

    from sksynth._core.panels import numpy3d_to_panel

    if isinstance(X, np.ndarray):
        channels = [f"x{i}" for i in range(X.shape[1])]
        return numpy3d_to_panel(X, "pd-multiindex", channels)
    if isinstance(X, pd.DataFrame) and isinstance(X.index, pd.MultiIndex):
        return X
    return convert_to(X, to_type="pd-multiindex")  # df-list, nested_univ


def _frame_from_panel(panel):
    """A pd-multiindex panel as a long-format frame with instance, timepoint."""
    panel = panel.copy()
    panel.index = panel.index.set_names(_PANEL_INDEX)
    return panel.reset_index()


# --------------------------------------------------------------------------
# sksynth fit / sample / evaluate
# --------------------------------------------------------------------------


def _set_threads(threads):
    if threads is not None:
        import torch

        torch.set_num_threads(threads)


def _fit(args):
    """Fit a sampler on a data file and save it."""
    import torch.distributed

    from sksynth import GANSampler, TimeGANSampler
    from sksynth._core.data_parallel import (
        init_from_environment,
        is_main_process,
        world_size_from_environment,
    )
    from sksynth._core.devices import resolve_device
    from sksynth._core.output_files import check_writable

    if args.model == "gan":
        timegan_options = (args.seq_len, args.n_iter, args.n_iter_pretrain)
        if args.preset or any(option is not None for option in timegan_options):
            raise CommandError(
                "--seq-len, --n-iter, --n-iter-pretrain and --preset apply to "
                "--model timegan; use --epochs for --model gan."
            )
        # --epochs N trains exactly N epochs, however small the table.
        params = {} if args.epochs is None else {"epochs": args.epochs}
        sampler = GANSampler(**params)
    else:
        if args.epochs is not None:
            raise CommandError(
                "--epochs applies to --model gan; use --n-iter for --model timegan."
            )
        options = {
            "n_iter": args.n_iter,
            "n_iter_pretrain": args.n_iter_pretrain,
            "seq_len": args.seq_len,
        }
        params = {name: value for name, value in options.items() if value is not None}
        if args.preset:
            sampler = TimeGANSampler.preset(args.preset, **params)
        else:
            sampler = TimeGANSampler(**params)
    sampler.set_params(device=args.device, random_state=args.seed, verbose=1)
    # Under torchrun, every process trains on a shard; rank 0 writes the model.
    if world_size_from_environment() > 1 and sampler.get_params().get("latent") == (
        "step"
    ):
        raise CommandError(
            "data-parallel training (torchrun) of --model timegan supports its "
            "default latent only, not --preset timegan-2019; run that as one "
            "process."
        )
    _check_not_an_input(args.output, args.data)
    started = init_from_environment(resolve_device(args.device))
    try:
        if is_main_process():
            check_writable(args.output)
        data = _read_table(args.data)
        _set_threads(args.threads)
        if args.model == "timegan" and _is_panel_frame(data):
            data = _panel_from_frame(data)
        start = time.perf_counter()
        sampler.fit(data)
        seconds = time.perf_counter() - start
        if is_main_process():
            sampler.save(args.output)
            print(
                f"Fitted {type(sampler).__name__} on {sampler.device_} in "
                f"{seconds:.1f} s; saved to {args.output}."
            )
    finally:
        if started:
            torch.distributed.destroy_process_group()


def _sample(args):
    """Load a saved sampler and write synthetic data."""
    import numpy as np
    import pandas as pd

    from sksynth import BaseSampler
    from sksynth._core.output_files import check_writable

    _file_format(args.output)
    _check_input_file(args.model)
    _check_not_an_input(args.output, args.model)
    check_writable(args.output, parents=True)
    try:
        sampler = BaseSampler.load(args.model, device=args.device)
    except ValueError as exc:
        raise CommandError(_first_line(exc)) from None
    options = {}
    if args.where:
        from sksynth import GANSampler
        from sksynth.tabular._row_conditions import conditions_from_text

        if not isinstance(sampler, GANSampler):
            raise CommandError("--where needs a model fitted with --model gan.")
        options["conditions"] = conditions_from_text(sampler.encoder_, args.where)
    draws = sampler.sample(args.n_samples, random_state=args.seed, **options)
    X, y = draws if isinstance(draws, tuple) else (draws, None)
    if isinstance(X, pd.DataFrame) and not isinstance(X.index, pd.MultiIndex):
        frame = X
    elif isinstance(X, np.ndarray) and X.ndim == 2:
        frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    else:  # sequences: one row per time point of each instance
        frame = _frame_from_panel(_as_multiindex(X))
    if y is not None:
        # One label per row, or per sequence (then on each of its rows).
        labels = np.asarray(y)
        if "instance" in frame.columns:
            labels = labels[frame["instance"].to_numpy()]
        frame = frame.assign(y=labels)
    _write_table(frame, args.output, raw_csv=args.raw_csv)
    print(f"Wrote {args.n_samples} samples to {args.output}.")


def _evaluate(args):
    """Score synthetic data against real data; optionally write plots."""
    import pandas as pd
    from tqdm.auto import tqdm

    from sksynth._core.output_files import atomic_output, check_writable
    from sksynth.evaluation import (
        discriminative_score,
        plot_marginals,
        plot_pca,
        plot_tsne,
        predictive_score,
    )

    if args.report is not None:
        check_writable(args.report, folder=True)
        for name in _REPORT_FILES:
            _check_not_an_input(Path(args.report) / name, args.real, args.synth)
    real, synth = _read_table(args.real), _read_table(args.synth)
    _set_threads(args.threads)
    if _is_panel_frame(synth):
        real, synth = _evaluation_panels(real, synth, args)
    elif _is_panel_frame(real):
        raise CommandError(
            f"{args.real} holds sequences but {args.synth} a table; "
            "compare sequences with sequences."
        )
    panels = real.ndim == 3
    common = {"random_state": args.seed}
    network = {"device": args.device} if panels else {}
    if args.n_steps is not None and panels:
        network["n_steps"] = args.n_steps

    tasks = [("discriminative", None)]
    if panels and real.shape[1] >= 2:
        tasks.append(("predictive", None))
    if args.report is not None:
        tasks += [("pca", plot_pca), ("tsne", plot_tsne), ("marginals", plot_marginals)]
        report = Path(args.report)
        report.mkdir(parents=True, exist_ok=True)
    scores = {}
    for name, plot in tqdm(tasks, desc="evaluate", disable=args.quiet):
        if name == "discriminative":
            if panels:
                scores["discriminative score"] = discriminative_score(
                    real, synth, **common, **network
                )
            else:
                score, auc = discriminative_score(
                    real, synth, return_roc_auc=True, **common
                )
                scores["discriminative score"] = score
                scores["discriminative ROC AUC"] = auc
        elif name == "predictive":
            score, baseline = predictive_score(
                real, synth, scale=True, return_baseline=True, **common, **network
            )
            scores["predictive score"] = score
            scores["predictive score, trained on real"] = baseline
        else:
            kwargs = {} if name == "marginals" else {"random_state": args.seed}
            figure = plot(real, synth, **kwargs)
            with atomic_output(report / f"{name}.png") as file:
                figure.savefig(file, format="png", dpi=110)

    table = pd.DataFrame({"metric": list(scores), "value": list(scores.values())})
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if args.report is not None:
        _write_table(table, report / "scores.csv")
        print(f"Wrote scores.csv, pca.png, tsne.png and marginals.png to {report}.")


_REPORT_FILES = ("scores.csv", "pca.png", "tsne.png", "marginals.png")


def _evaluation_panels(real, synth, args):
    """numpy3D arrays of real and synthetic sequences with the same channels."""
    import numpy as np

    from sksynth._core.panels import stride_windows

    synth3 = _frame_to_numpy3d(synth, args.synth)
    channels = [c for c in synth.columns if c not in _PANEL_INDEX]
    missing = [c for c in channels if c not in real.columns]
    if missing:
        raise CommandError(f"{args.real} lacks the channels {missing} of {args.synth}.")
    if _is_panel_frame(real):
        real3 = _frame_to_numpy3d(real[_PANEL_INDEX + channels], args.real)
    else:
        # One long series: stride-1 windows as long as the synthetic sequences.
        series = real[channels].to_numpy(dtype=np.float64)
        seq_len = synth3.shape[2]
        if len(series) < seq_len + 1:
            raise CommandError(
                f"{args.real} has {len(series)} rows, too few for windows of "
                f"{seq_len} time points."
            )
        real3 = stride_windows(series, seq_len)
    return real3, synth3


def _frame_to_numpy3d(frame, path):
    """A long-format panel frame as a numpy3D array of equal-length sequences."""
    import pandas as pd

    from sksynth._core.panels import panel_to_numpy3d

    channels = [c for c in frame.columns if c not in _PANEL_INDEX]
    if not all(pd.api.types.is_numeric_dtype(frame[c]) for c in channels):
        raise CommandError(f"{path}: sequences must hold numeric channels.")
    X3, _ = panel_to_numpy3d(_panel_from_frame(frame), "pd-multiindex", name=path)
    return X3


def _add_data_commands(commands):
    """Register the fit, sample and evaluate subcommands."""
    fit = commands.add_parser(
        "fit",
        help="fit a sampler on a CSV or Parquet file and save it",
        description=(
            "Fit GANSampler on a table, or TimeGANSampler on one long series "
            "(rows are time points, columns channels) or on sequences written by "
            "'sksynth sample' (instance and timepoint columns), and save it."
        ),
    )
    fit.add_argument(
        "data", metavar="DATA", help="a .csv, .csv.gz, .parquet or .pq file"
    )
    fit.add_argument("--model", choices=["gan", "timegan"], required=True)
    fit.add_argument("--seq-len", type=_positive_int, help="TimeGAN sequence length")
    fit.add_argument(
        "--epochs",
        type=_positive_int,
        help="GAN training epochs, exactly (default: set by the table's size)",
    )
    fit.add_argument(
        "--n-iter",
        type=_positive_int,
        help="TimeGAN training steps of the last phase (default: the sampler's)",
    )
    fit.add_argument(
        "--n-iter-pretrain",
        type=_positive_int,
        help="TimeGAN steps of the autoencoder (and supervisor) phases "
        "(default: the sampler's)",
    )
    fit.add_argument(
        "--preset",
        metavar="NAME",
        help="named TimeGAN settings: timegan-2019, the published algorithm "
        "(--n-iter, --n-iter-pretrain and --seq-len still apply)",
    )
    fit.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    fit.add_argument("--seed", type=int, default=None, help="random seed")
    fit.add_argument(
        "--threads", type=_positive_int, help="torch CPU threads (default: torch's)"
    )
    fit.add_argument(
        "-o", "--output", required=True, metavar="MODEL", help="model file"
    )
    fit.set_defaults(handler=_fit)

    sample = commands.add_parser(
        "sample",
        help="draw synthetic data from a saved model",
        description="Load a model saved by 'sksynth fit' and write samples.",
    )
    sample.add_argument("model", metavar="MODEL", help="model file")
    sample.add_argument(
        "-n", "--n-samples", type=_positive_int, required=True, help="samples to draw"
    )
    sample.add_argument(
        "-o", "--output", required=True, metavar="OUT", help=".csv or .parquet file"
    )
    sample.add_argument("--device", default=None, help="device to sample on")
    sample.add_argument("--seed", type=int, default=None, help="random seed")
    sample.add_argument(
        "--where",
        action="append",
        metavar="COLUMN=VALUE",
        help="generate only rows whose COLUMN holds VALUE, or for a numeric column "
        "lies in LOW..HIGH (either end may be left out); repeat for more "
        "conditions, or for more values of one column",
    )
    sample.add_argument(
        "--raw-csv",
        action="store_true",
        help="write text cells as they are; by default, a cell that starts with "
        "=, +, -, @, a tab or a carriage return gets a ' in front, so that a "
        "spreadsheet does not run it as a formula",
    )
    sample.set_defaults(handler=_sample)

    evaluate = commands.add_parser(
        "evaluate",
        help="score synthetic data against real data",
        description=(
            "Print the discriminative score (and, for sequences, the predictive "
            "score) of SYNTH against REAL; with --report, also write PCA, t-SNE "
            "and marginal plots as PNG files."
        ),
    )
    evaluate.add_argument("real", metavar="REAL", help="real data file")
    evaluate.add_argument("synth", metavar="SYNTH", help="synthetic data file")
    evaluate.add_argument("--report", metavar="DIR", help="folder for scores and plots")
    evaluate.add_argument(
        "--n-steps",
        type=_positive_int,
        help="training steps of the post-hoc networks (sequences only)",
    )
    evaluate.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    evaluate.add_argument("--seed", type=int, default=0, help="random seed")
    evaluate.add_argument(
        "--threads", type=_positive_int, help="torch CPU threads (default: torch's)"
    )
    evaluate.add_argument("--quiet", action="store_true", help="no progress bar")
    evaluate.set_defaults(handler=_evaluate)


def _positive_int(text):
    value = int(text) if text.strip().isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports bad options as one line on stderr."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser():
    """The argument parser of the ``sksynth`` command."""
    from sksynth import __version__
    from sksynth._demo import DEMO_N_ITER, DEMO_N_ITER_PRETRAIN

    parser = _Parser(prog="sksynth", description="Synthetic tables and time series.")
    parser.add_argument("--version", action="version", version=f"sksynth {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_data_commands(commands)

    demo = commands.add_parser(
        "demo",
        help="fit TimeGAN on the bundled Stocks data and write samples and a plot",
    )
    demo.add_argument(
        "--n-iter", type=_positive_int, default=DEMO_N_ITER, help="adversarial steps"
    )
    demo.add_argument(
        "--n-iter-pretrain",
        type=_positive_int,
        default=DEMO_N_ITER_PRETRAIN,
        help="autoencoder steps",
    )
    demo.add_argument("--output-dir", default="sksynth-demo", help="output folder")
    demo.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    demo.add_argument("--seed", type=int, default=0, help="random seed")
    # Small recurrent nets gain nothing from a second intra-op thread, and two
    # threads on a busy two-core machine can slow each step a hundredfold.
    demo.add_argument(
        "--threads", type=_positive_int, default=1, help="torch CPU threads"
    )
    demo.set_defaults(handler=_demo)
    return parser


def main(argv=None):
    """Run the ``sksynth`` command; returns only on success."""
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except KeyboardInterrupt:
        print(f"sksynth {args.command}: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # the command reports one line, never a traceback
        message = _first_line(exc)
        if not isinstance(exc, (CommandError, ValueError, OSError)):
            message = f"{type(exc).__name__}: {message}"
        print(f"sksynth {args.command}: error: {message}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
