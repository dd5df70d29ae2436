"""Travel-document screening benchmark: build time, memory, look-up latency and throughput.

    .venv/bin/python bench/documents_speed.py                  # 10,000,000 documents
    .venv/bin/python bench/documents_speed.py --size 1000000   # a quick run

Synthetic documents (random 8-9 character numbers, 196 issuing countries with a skewed
distribution, a few dozen distinct visibilities) are streamed as `DocumentEntry` objects into
`DocumentIndex.bulk_load`, as the service will do from the database. Queries are a mix of
exact hits, OCR-misread hits (one confusable character swapped) and misses, each with a
viewer country and, half of the time, the issuing country. Results go in
docs/screening-documents.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from interlink.core.access import Viewer, Visibility, VisibilityMode
from interlink.core.auth import OrgKind
from interlink.screening.document_index import DocumentEntry, DocumentIndex, paused_gc
from interlink.screening.mrz import OCR_SWAPS, parse_mrz

ALPHABET = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
DOC_TYPES = ("passport", "id_card", "visa")
STATUSES = ("stolen", "lost", "revoked", "invalidated")
CHUNK = 1 << 17
SPECIMEN_MRZ = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)


def countries(count: int = 196) -> list[str]:
    """`count` two-letter codes (synthetic: the benchmark needs their number, not their names)."""
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    return [a + b for a in letters for b in letters][:count]


def visibilities(codes: list[str], rng: random.Random) -> list[Visibility]:
    """'All' first, then 40 'all but' and 'only' lists of a few countries, as owners set them."""
    restricted = [
        Visibility(mode, frozenset(rng.sample(codes, rng.randint(1, 6))))
        for mode in (VisibilityMode.EXCEPT, VisibilityMode.ONLY)
        for _ in range(20)
    ]
    return [Visibility(), *restricted]


def numbers(rng: np.random.Generator, count: int) -> list[str]:
    """Random document numbers of 8 or 9 characters from [0-9A-Z]."""
    chars = ALPHABET[rng.integers(0, len(ALPHABET), size=(count, 9))]
    chars[rng.random(count) < 0.3, 8] = 0  # 30 % have 8 characters (NUL pads 'S9')
    return chars.view("S9").ravel().astype("U9").tolist()


def documents(size: int, seed: int, sample: list[tuple[str, str]]) -> Iterator[DocumentEntry]:
    """`size` synthetic documents; every 100th (number, country) goes to `sample` for queries."""
    rng = np.random.default_rng(seed)
    codes = countries()
    weights = 1 / np.arange(1, len(codes) + 1)  # a few countries enter most documents
    weights /= weights.sum()
    vis = visibilities(codes, random.Random(seed))
    for start in range(0, size, CHUNK):
        n = min(CHUNK, size - start)
        chunk_numbers = numbers(rng, n)
        country = rng.choice(len(codes), size=n, p=weights)
        sample.extend((chunk_numbers[i], codes[country[i]]) for i in range(0, n, 100))
        doc_type = rng.choice(3, size=n, p=(0.7, 0.25, 0.05))
        # 90 % visible to all, the rest restricted
        visibility = np.where(rng.random(n) < 0.9, 0, rng.integers(1, len(vis), size=n))
        status = rng.integers(0, len(STATUSES), size=n)
        owner = rng.integers(1, 400, size=n)
        for i in range(n):
            yield DocumentEntry(
                record_id=start + i + 1,
                country=codes[country[i]],
                doc_type=DOC_TYPES[doc_type[i]],
                number=chunk_numbers[i],
                visibility=vis[visibility[i]],
                owner_org_id=int(owner[i]),
                status=STATUSES[status[i]],
            )


def queries(
    sample: list[tuple[str, str]], count: int, seed: int
) -> list[tuple[str, str | None, Viewer]]:
    """(number, issuing country or None, viewer): 45 % hits, 10 % OCR-misread hits, 45 % misses.

    Half the queries name the issuing country (as a border check reading an MRZ does)."""
    rng = random.Random(seed)
    codes = countries()
    misses = numbers(np.random.default_rng(seed + 1), count)
    result = []
    for i in range(count):
        number, issuing = rng.choice(sample)
        roll = rng.random()
        if roll < 0.10:
            number = misread(number, rng)
        elif roll >= 0.55:
            number, issuing = misses[i], rng.choice(codes)
        viewer = Viewer(org_id=10_000, org_kind=OrgKind.NCB, country=rng.choice(codes))
        result.append((number, issuing if rng.random() < 0.5 else None, viewer))
    return result


def misread(number: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(number) if c in OCR_SWAPS]
    if not positions:
        return number
    i = rng.choice(positions)
    return number[:i] + OCR_SWAPS[number[i]] + number[i + 1 :]


def memory_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB, from /proc/self/status."""
    status = Path("/proc/self/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in status)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def measure(size: int, query_count: int, seed: int) -> list[tuple[str, str]]:
    # other work on the machine shows in the tail latencies: record how busy it was
    load_before = Path("/proc/loadavg").read_text().split()[0]
    rss_before, _ = memory_mb()
    sample: list[tuple[str, str]] = []
    # CPU seconds as well as wall seconds: on a shared machine only the former compare
    started, cpu_started = time.perf_counter(), time.process_time()
    with paused_gc():  # as inside bulk_load, so that the difference is the load alone
        for _ in documents(size, seed, []):
            pass
    generate_s, generate_cpu = time.perf_counter() - started, time.process_time() - cpu_started

    index = DocumentIndex()
    started, cpu_started = time.perf_counter(), time.process_time()
    index.bulk_load(documents(size, seed, sample))
    build_s, build_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rss_after, rss_peak = memory_mb()

    workload = queries(sample, query_count, seed)
    # wall time is what a caller waits; CPU time leaves out waits for a busy machine's cores
    latencies = np.empty(len(workload), dtype=np.int64)
    cpu_times = np.empty(len(workload), dtype=np.int64)
    hits = 0
    started = time.perf_counter()
    for i, (number, issuing, viewer) in enumerate(workload):
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        found = index.lookup(number, country=issuing, viewer=viewer)
        cpu_times[i] = time.thread_time_ns() - c0
        latencies[i] = time.perf_counter_ns() - t0
        hits += bool(found)
    lookup_s = time.perf_counter() - started
    p50, p90, p99, p999 = np.percentile(latencies, [50, 90, 99, 99.9]) / 1000
    cpu50, cpu99, cpu999 = np.percentile(cpu_times, [50, 99, 99.9]) / 1000

    writes = 10_000
    extra = documents(writes, seed + 2, [])
    started = time.perf_counter()
    for entry in extra:  # replacements of existing records, as the change feed sends them
        index.upsert(entry)
    upsert_us = (time.perf_counter() - started) / writes * 1e6
    started = time.perf_counter()
    index.compact()
    compact_s = time.perf_counter() - started

    started = time.perf_counter()
    for _ in range(2000):
        parse_mrz(SPECIMEN_MRZ)
    mrz_us = (time.perf_counter() - started) / 2000 * 1e6

    load_after = Path("/proc/loadavg").read_text().split()[0]
    return [
        ("CPUs; load average before / after", f"{os.cpu_count()}; {load_before} / {load_after}"),
        ("documents", f"{size:,}"),
        ("generate entries only: wall / CPU (s)", f"{generate_s:.1f} / {generate_cpu:.1f}"),
        ("bulk_load incl. generation: wall / CPU (s)", f"{build_s:.1f} / {build_cpu:.1f}"),
        ("bulk_load alone, CPU (s)", f"{build_cpu - generate_cpu:.1f}"),
        ("index arrays (MB)", f"{index.nbytes / 2**20:.0f}"),
        ("process RSS before -> after build (MB)", f"{rss_before:.0f} -> {rss_after:.0f}"),
        ("process peak RSS during the load (MB)", f"{rss_peak:.0f}"),
        ("queries", f"{len(workload):,} ({hits:,} with hits)"),
        ("lookup p50 / p90 (us)", f"{p50:.1f} / {p90:.1f}"),
        ("lookup p99 / p99.9 (us)", f"{p99:.1f} / {p999:.1f}"),
        ("lookup max (us)", f"{latencies.max() / 1000:.0f}"),
        ("lookup CPU time p50 / p99 / p99.9 (us)", f"{cpu50:.1f} / {cpu99:.1f} / {cpu999:.1f}"),
        ("throughput, one thread (lookups/s)", f"{len(workload) / lookup_s:,.0f}"),
        (f"upsert, {writes:,} (us each)", f"{upsert_us:.1f}"),
        ("compact after those (s)", f"{compact_s:.1f}"),
        ("parse_mrz TD3 (us each)", f"{mrz_us:.1f}"),
        ("process peak RSS, whole run (MB)", f"{memory_mb()[1]:.0f}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20251122)
    args = parser.parse_args()
    rows = measure(args.size, args.queries, args.seed)
    table = Table(title=f"Document screening, {date.today()}, Python {platform.python_version()}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
