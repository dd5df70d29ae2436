"""Secure messaging between organisations, hit follow-up, joint operations, webhooks."""
