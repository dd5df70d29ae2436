"""Screening: persons by name, travel documents and vehicles, against what a caller may see."""
