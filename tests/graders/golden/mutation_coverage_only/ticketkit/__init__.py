"""Keyword routing of support tickets, standard library only."""
