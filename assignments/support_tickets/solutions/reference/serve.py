"""Serve the classifier: ``python serve.py --model-dir model/ --port 8000`` (see ``ticketclf.api``)."""

from ticketclf.api import main

if __name__ == "__main__":
    raise SystemExit(main())
