"""Functions one mutation away from a hazard (a golden for the mutation stage's containment)."""

import os
import shutil
import sys
import time


def spin(n):
    i = 0
    while i < n:
        i += 1
    return i


def wipe(root, dry_run=True):
    if dry_run:
        return "kept"
    shutil.rmtree(root)
    return "wiped"


def spawn(bomb=False):
    if bomb:
        while True:
            try:
                os.fork()
            except OSError:
                time.sleep(0.01)
    return "calm"


def shout(loud=False):
    if loud:
        chunk = "x" * 65536
        while True:
            sys.stdout.write(chunk)
            os.write(1, chunk.encode())
    return "quiet"


def fill(path, big=False):
    if big:
        with open(path, "wb") as handle:
            while True:
                handle.write(b"\0" * (1 << 20))
    return "small"
