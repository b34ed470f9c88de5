"""Candidate data protection: what holds candidate data (each domain's holder), and the
anonymous figures an erasure leaves. Orchestrated by ``harness.retention``."""
