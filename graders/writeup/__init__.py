"""The ``writeup`` grader: sections, length, and metric claims checked against held-out scores."""

from graders.writeup.claims import Claim, check_claim, extract_claims
from graders.writeup.grader import WriteupGrader

__all__ = ["Claim", "WriteupGrader", "check_claim", "extract_claims"]
