"""Import kinds of plans (filled below)."""
