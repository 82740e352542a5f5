"""Judging text and dates: prose, identifiers, working days."""
