"""Child-abuse domain blocklist: canonical hashing, the provider feed, and the provider client."""
