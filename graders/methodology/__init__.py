"""The ``methodology`` grader: leakage, evaluation, dropped classes and seeds, read from the AST."""

from graders.methodology.grader import MethodologyGrader, methodology_observations, never_predicted

__all__ = ["MethodologyGrader", "methodology_observations", "never_predicted"]
