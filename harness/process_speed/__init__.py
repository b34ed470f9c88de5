"""Process speed from the database: timelines, the team's medians, who is at risk."""
