"""Engines, models, schema check and demo data."""
