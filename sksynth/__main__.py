"""``python -m sksynth``: the command line, so that ``torchrun -m sksynth`` works."""

from ._cli import main

if __name__ == "__main__":
    main()
