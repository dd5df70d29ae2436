"""Cross-bureau linking: the same person in several bureaus' records, found and explained."""
