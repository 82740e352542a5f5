"""Describing rules for people: explain, the gallery, authoring, the rules page."""
