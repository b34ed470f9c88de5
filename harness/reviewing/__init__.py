"""What reviewers read across domains: an invitation or a submission with its time box,
payment and timeline, and the dashboard."""
