"""Load: YAML text to data with the line and column of every node."""
