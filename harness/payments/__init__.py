"""The one payment of an invitation: recorded, approved, paid, listed and exported."""
