"""The ``writeup`` grader: relevance, sections, length, evaluation method, and metric claims
checked against held-out scores."""

from graders.writeup.claims import Claim, extract_claims
from graders.writeup.grader import WriteupGrader
from graders.writeup.verify import ClaimCheck, ClaimVerdict, check_claim

__all__ = ["Claim", "ClaimCheck", "ClaimVerdict", "WriteupGrader", "check_claim", "extract_claims"]
