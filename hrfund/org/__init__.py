"""TMG departments and partner cities."""
