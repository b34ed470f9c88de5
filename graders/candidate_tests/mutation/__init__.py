"""Mutation testing of the candidate's own code: do their tests catch small bugs in it?

- :mod:`.operators`: the documented operator set and the cheap equivalence rules;
- :mod:`.catalogue`: the mutants of the covered code, each with its tests, and the fixed-seed
  sample;
- :mod:`.plan`: the sandboxed stage that judges the sample; :mod:`.runner` and
  :mod:`.export_contexts` are the harness's own scripts that run inside the sandbox;
- :mod:`.results`: reading what the stage wrote, and the score with its interval.
"""

from graders.candidate_tests.mutation.catalogue import (
    Catalogue,
    Mutant,
    build_catalogue,
    sample_mutants,
)
from graders.candidate_tests.mutation.operators import OPERATORS
from graders.candidate_tests.mutation.plan import (
    MUTATION_JSON,
    MutationStagePlan,
    mutation_stage_plan,
)

__all__ = [
    "MUTATION_JSON",
    "OPERATORS",
    "Catalogue",
    "Mutant",
    "MutationStagePlan",
    "build_catalogue",
    "mutation_stage_plan",
    "sample_mutants",
]
