"""Candidates and their invitations to an assignment (the token behind the candidate link)."""
