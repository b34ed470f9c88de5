"""Applicant tracking systems: the harness as an assessment partner of an ATS (Greenhouse's
Assessment Partner API first), behind one small adapter interface (``harness.ats.adapter``)."""
