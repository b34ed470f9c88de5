"""Route Tillpoint support tickets to one of eight queues."""

__version__ = "1.0.0"
