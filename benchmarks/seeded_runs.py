"""The command line of benchmarks that run once per seed, then render a page."""

import argparse


def seeded_main(description, run, render, default_seeds):
    """Call ``run(seed)`` for each of ``--seeds``, or ``render()`` with ``--render``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seeds", type=int, nargs="+", default=default_seeds)
    parser.add_argument("--render", action="store_true")
    args = parser.parse_args()
    if args.render:
        render()
        return
    for seed in args.seeds:
        run(seed)
