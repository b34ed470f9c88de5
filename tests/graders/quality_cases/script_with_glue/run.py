"""Entry point: checks the arguments and hands over to classify.py."""

import runpy
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    """Run classify.py with the same arguments."""
    if len(argv) < 4:
        raise SystemExit("usage: run.py train|predict MODEL_DIR INPUT [OUTPUT]")
    sys.argv = [str(Path(__file__).with_name("classify.py")), *argv[1:]]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv)
