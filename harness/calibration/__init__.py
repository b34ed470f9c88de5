"""Calibration: how far the harness's scores agree with an expert's on a corpus of submissions.

``judgments`` reads and validates the expert's scores, ``stats`` holds the pure statistics
(Spearman's rho with ties, mean absolute and signed error), ``compare`` pairs reports with
judgments dimension by dimension, ``run`` grades a corpus through the real pipeline.
"""
