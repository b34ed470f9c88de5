"""Candidate data retention and erasure: export everything held about a candidate, erase them
on request, and the daily sweep that applies each assignment's retention policy."""
