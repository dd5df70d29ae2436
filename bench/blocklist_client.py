"""Blocklist benchmark: provider check rates, and partial-update size against change size.

    .venv/bin/python bench/blocklist_client.py [--hosts 500000] [--largest 1000000]

Synthetic data only: random pseudo-word domains under common top-level domains. Prints
Markdown tables for docs/blocklist.md. One process, so one core.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import string
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from interlink.blocklist.client import BlocklistClient, PrefixList
from interlink.blocklist.feed import Feed, HashedList, full_update, partial_update

TOP_LEVEL = ["com", "net", "org", "info", "ru", "xyz", "io", "de", "co.uk", "com.br"]
SUBDOMAINS = ["www", "cdn", "img", "static", "m", "api", "mail"]
LISTED = 100_000
SHARE_LISTED = 0.01  # of the hosts checked, most of a resolver's traffic is not listed
REPEATS = 3


def word(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase + string.digits, k=rng.randint(5, 14)))


def domains(rng: random.Random, count: int) -> set[str]:
    found: set[str] = set()
    while len(found) < count:
        found.add(f"{word(rng)}.{rng.choice(TOP_LEVEL)}")
    return found


def host_under(rng: random.Random, domain: str) -> str:
    """The domain itself or a subdomain one to three labels deep, like resolver traffic."""
    labels = [rng.choice(SUBDOMAINS) for _ in range(rng.choice((0, 1, 1, 2, 3)))]
    return ".".join([*labels, domain])


def traffic(rng: random.Random, listed: Sequence[str], count: int) -> list[str]:
    hits = int(count * SHARE_LISTED)
    hosts = [host_under(rng, rng.choice(listed)) for _ in range(hits)]
    hosts += [host_under(rng, domain) for domain in domains(rng, count - hits)]
    rng.shuffle(hosts)
    return hosts


def best_rate(check: Callable[[str], object], items: Sequence[str]) -> float:
    """Items per second of this process's CPU time (one core), best of REPEATS runs.

    CPU time rather than wall time, so other work on a shared machine does not count.
    """
    best = float("inf")
    for _ in range(REPEATS):
        start = time.process_time()
        for item in items:
            check(item)
        best = min(best, time.process_time() - start)
    return len(items) / best


def check_rates(hosts_checked: int) -> None:
    rng = random.Random(2024)
    listed = sorted(domains(rng, LISTED))
    feed = Feed()
    start = time.perf_counter()
    feed.publish(listed)
    publish_seconds = time.perf_counter() - start
    client = BlocklistClient(feed)
    start = time.perf_counter()
    client.sync()
    sync_seconds = time.perf_counter() - start

    hosts = traffic(rng, listed, hosts_checked)
    blocked = sum(client.check_host(host).blocked for host in hosts)
    paths = ["/", "/index.html", "/a/b/c/page.php?id=7&s=x", "/gallery/2024/05/photo.jpg"]
    urls = [f"https://{host}{rng.choice(paths)}" for host in hosts[: hosts_checked // 5]]

    print(f"{LISTED:,} listed domains; {hosts_checked:,} hosts, {SHARE_LISTED:.0%} under a")
    print(f"listed domain ({blocked:,} blocked); best of {REPEATS} runs, CPU time.\n")
    print("| measure | result |\n|---|---|")
    print(f"| host-name checks (resolver) | {best_rate(client.check_host, hosts):,.0f} /s |")
    print(f"| full-URL checks | {best_rate(client.check_url, urls):,.0f} /s |")
    print(f"| server: hash and publish {LISTED:,} domains | {publish_seconds:.2f} s |")
    print(f"| client: first (full) sync | {sync_seconds:.3f} s |")


def update_sizes(list_sizes: Sequence[int], changes: Sequence[int]) -> None:
    print(
        "\n| listed domains | changed (half added, half removed) | update sent | as | full list |"
    )
    print("|---:|---:|---:|---|---:|")
    rng = random.Random(7)
    for size in list_sizes:
        base = sorted(domains(rng, size))
        old = HashedList(base)
        full_bytes = wire_bytes(full_update(old, 1).to_wire())
        for change in changes:
            removed = set(rng.sample(base, change // 2))
            new = HashedList([*(d for d in base if d not in removed), *domains(rng, change // 2)])
            update = partial_update(old, new, 2)
            PrefixList.of(1, old.prefixes).apply(update)  # the client really gets there
            sent = wire_bytes(update.to_wire())
            print(f"| {size:,} | {change:,} | {sent:,} B | {update.kind} | {full_bytes:,} B |")


def wire_bytes(document: dict[str, Any]) -> int:
    return len(json.dumps(document, separators=(",", ":")).encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=500_000, help="host names to check")
    parser.add_argument("--largest", type=int, default=1_000_000, help="largest list size")
    arguments = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()},")
    print(f"{processor()}, {platform.system()}\n")
    check_rates(arguments.hosts)
    sizes = [size for size in (10_000, 100_000, 1_000_000) if size <= arguments.largest]
    update_sizes(sizes, changes=(0, 10, 100, 1_000, 10_000))


def processor() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    main()
