"""Interlink: multilateral police cooperation platform."""
