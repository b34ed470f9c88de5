"""The audit log of reviewer (and system) actions."""
