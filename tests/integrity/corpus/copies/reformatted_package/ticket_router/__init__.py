"""Route support tickets to a queue."""
