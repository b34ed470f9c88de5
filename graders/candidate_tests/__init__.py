"""The ``tests`` grader: the candidate's own tests, and the plan of the stage that runs them."""

from graders.candidate_tests.grader import TestsGrader
from graders.candidate_tests.plan import TestStagePlan, test_stage_plan

__all__ = ["TestStagePlan", "TestsGrader", "test_stage_plan"]
