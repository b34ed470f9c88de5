"""The serving stage's host side: the load client's plan and code, its report read back bounded,
the stage's verdict, and the evidence scored with the held-out labels (which stay on the host).

The containers themselves are started by :mod:`harness.grading.serve`.
"""
