"""Staff exchanges with partner cities: placements, nominations, milestones, reports, agreements."""
