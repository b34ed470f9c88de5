"""helpdesk: a small, typed ticket-routing package.

Modules:
    schema   -- the ticket table contract and its validation
    features -- text assembly
    model    -- the estimator, its persistence and its metadata
    metrics  -- evaluation helpers
    __main__ -- the command line
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
