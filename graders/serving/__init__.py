"""The ``serving`` grader: the candidate's model server, started in the sandbox and measured.

The grader is ``graders.serving.grader:ServingGrader``; this package does not import it here, so
``graders.types`` can import :mod:`graders.serving.measures` without a cycle.
"""
