"""The ``notebooks`` grader: notebooks rendered to sanitised HTML for reviewers, and run-order checks."""

from graders.notebooks.grader import NotebooksGrader
from graders.notebooks.render import CSP, render_notebook, sanitise_html

__all__ = ["CSP", "NotebooksGrader", "render_notebook", "sanitise_html"]
