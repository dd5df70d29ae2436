"""Requests from the people recorded, and the oversight commission's casework."""
