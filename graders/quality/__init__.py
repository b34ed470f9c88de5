"""The ``quality`` grader: static analysis of the candidate's code (ruff, radon, structure, hygiene)."""

from graders.quality.grader import QualityGrader

__all__ = ["QualityGrader"]
