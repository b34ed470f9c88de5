"""queueclf: route support tickets to the right queue.

The package is split by concern: ``data`` reads and checks the CSV files, ``text`` cleans ticket
text, ``features`` turns tickets into vectors, ``model`` trains, saves and loads the classifier,
``evaluate`` cross-validates it. ``train.py`` and ``predict.py`` at the project root are the
command-line entry points.
"""

__version__ = "1.0.0"
