"""scrqm: checks referrals for Serious Case Review against SCR Quality Marker 1."""

__version__ = "1.0.0"
