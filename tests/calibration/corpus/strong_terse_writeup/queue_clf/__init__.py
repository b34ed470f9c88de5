"""Support ticket queue classifier."""
