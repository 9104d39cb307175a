#!/usr/bin/env python3
"""Seeds for the libFuzzer targets, from the recorded Nix streams in tests/data/corpus.

reader_fuzz reads its input as described at the top of fuzz/reader_fuzz.cpp: the reads' bytes from the
front, and from the end (FuzzedDataProvider takes integers off the end) the limits, the peers and, per
read, a control byte, its length and its time step. This script writes seeds in exactly that layout:
every recorded line its own read at its recorded time on its recorded connection (all connections of
a scenario interleaved as they came), the same streams with log noise dropped so that whole scenarios
fit, and cut into reads of arbitrary sizes; for options_fuzz, calls of every method, valid and not.

Usage: fuzz/seeds.py CORPUS_DIR OUT_DIR   (writes OUT_DIR/reader/* and OUT_DIR/options/*)
"""
import json
import os
import random
import re
import sys

BUDGET = 16384  # bytes per seed: libFuzzer's -max_len defaults to the largest seed


def integral(value, lo, hi, bits):
    """The bytes ConsumeIntegralInRange<T>(lo, hi) takes off the end for `value`, in the order taken."""
    span, r = hi - lo, value - lo
    assert 0 <= r <= span
    n = 0
    while n * 8 < bits and (span >> (n * 8)) > 0:
        n += 1
    return [(r >> (8 * (n - 1 - i))) & 0xFF for i in range(n)]


def time_step_byte(want):
    """The time-step byte whose step is closest to `want` microseconds (see time_step())."""
    def step(t):
        if t < 128:
            return t * 100
        if t < 224:
            return (t - 127) * 50_000
        return (t - 223) * 60_000_000
    return min(range(256), key=lambda t: (abs(step(t) - want), t)), step


class ReaderSeed:
    def __init__(self, pids, max_line=1 << 16, max_activities=256):
        self.stream = bytearray()
        self.tail = []  # in the order the harness takes it
        self.tail += integral(max_line, 16, 1 << 16, 64)
        self.tail += integral(max_activities, 1, 256, 64)
        self.tail += integral(len(pids), 1, 3, 64)
        for pid in pids:
            self.tail += integral(pid, 0, 2**31 - 1, 32)
        self.time = 0  # what the harness's clock will say

    def size(self):
        return len(self.stream) + len(self.tail)

    def read(self, conn, at, data, reopen=False):
        """One read of `data` on connection `conn` at `at` microseconds (reopen: the writer reconnects)."""
        while data:
            part, data = data[:8416], data[8416:]
            control = 0x80 | conn | (0x60 if reopen and not data else 0)
            n = len(part)
            length = [n - 1] if n <= 224 else [224 + ((n - 225) >> 8), (n - 225) & 0xFF]
            t, step = time_step_byte(max(0, at - self.time))
            self.time += step(t)
            self.tail += [control] + length + [t]
            self.stream += part

    def fits(self, extra):
        return self.size() + extra + 6 <= BUDGET

    def bytes(self):
        return bytes(self.stream) + bytes(reversed(self.tail))


def scenario_2_30(folder):
    """(pids, [(time_us, conn, line)]) of a Nix 2.30 capture, all connections interleaved by time."""
    pids, lines = [], []
    for conn, name in enumerate(sorted(f for f in os.listdir(folder) if re.match(r"conn-\d+\.tsv$", f))[:3]):
        with open(os.path.join(folder, name), "rb") as f:
            for raw in f:
                if raw.startswith(b"# peer "):
                    pids.append(int(re.search(rb"pid=(\d+)", raw).group(1)))
                elif not raw.startswith(b"#") and b"\t" in raw:
                    seconds, line = raw.rstrip(b"\n").split(b"\t", 1)
                    lines.append((round(float(seconds) * 1e6), conn, line + b"\n"))
    lines.sort(key=lambda x: (x[0], x[1]))
    return pids, lines


def stream_2_8(path):
    """([pid], [(time_us, 0, line)]) of a Nix 2.8 capture; times from NAME.ts where it was recorded."""
    with open(path, "rb") as f:
        body = [line if line.endswith(b"\n") else line + b"\n" for line in f]
    times = []
    ts = path[: -len(".json")] + ".ts"
    if os.path.exists(ts):
        with open(ts, "rb") as f:
            times = [round(float(r.split(b"\t", 1)[0]) * 1e6) for r in f if b"\t@nix " in r]
    if len(times) != len(body):
        times = [i * 500 for i in range(len(body))]  # stderr of one process: half a millisecond apart
    return [0], [(t, 0, line) for t, line in zip(times, body)]


def quiet(lines):
    """The lines without log noise: build log lines and phases, and all but the last progress of each
    single path's copy or download (most of the bytes, little of the evidence)."""
    types, last = {}, {}
    parsed = []
    for i, (_, _, line) in enumerate(lines):
        try:
            r = json.loads(line)
        except ValueError:
            r = {}
        parsed.append(r)
        if r.get("action") == "start":
            types[r.get("id")] = r.get("type")
        elif r.get("action") == "result" and r.get("type") == 105 and types.get(r.get("id")) in (100, 101):
            last[r.get("id")] = i
    kept = []
    for i, (x, r) in enumerate(zip(lines, parsed)):
        if r.get("action") == "result":
            if r.get("type") in (101, 104, 107):
                continue
            if r.get("type") == 105 and types.get(r.get("id")) in (100, 101) and last.get(r.get("id")) != i:
                continue
        kept.append(x)
    return kept


def write(out, name, seed):
    with open(os.path.join(out, name), "wb") as f:
        f.write(seed.bytes())


def reader_seeds(corpus, out):
    sources = []
    root = os.path.join(corpus, "nix-2.30")
    for d in sorted(os.listdir(root)):
        if os.path.exists(os.path.join(root, d, "conn-001.tsv")):
            sources.append(("2.30-" + d, *scenario_2_30(os.path.join(root, d))))
    root = os.path.join(corpus, "nix-2.8")
    for f in sorted(os.listdir(root)):
        if f.endswith(".json"):
            sources.append(("2.8-" + f[: -len(".json")], *stream_2_8(os.path.join(root, f))))

    rng = random.Random(7)
    for name, pids, lines in sources:
        variants = [("lines", lines)]
        condensed = quiet(lines)
        if len(condensed) < len(lines):
            variants.append(("quiet", condensed))
        for variant, chosen in variants:
            seed = ReaderSeed(pids)
            for at, conn, line in chosen:
                if not seed.fits(len(line)):
                    break
                seed.read(conn, at, line)
            write(out, f"{name}-{variant}", seed)
        # The first connection's bytes in reads of arbitrary sizes (lines cut anywhere, several per read).
        seed = ReaderSeed(pids[:1])
        data = b"".join(line for _, conn, line in condensed if conn == 0)
        at, pos = 0, 0
        while pos < len(data):
            n = rng.choice([1, 2, 7, 15, 16, 17, 64, 200, 1000, 4000])
            if not seed.fits(n):
                break
            at += rng.choice([0, 100, 1000, 20_000])
            seed.read(0, at, data[pos:pos + n])
            pos += n
        write(out, f"{name}-cut", seed)

    # Nesting: far past the parser's depth bound (a line of brackets, cut across reads), and valid records
    # at the bound and one past it.
    seed = ReaderSeed([0])
    deep = b'{"action":"msg","level":0,"msg":"x","x":' + b"[" * 12000 + b"\n"
    for pos in range(0, len(deep), 4000):
        seed.read(0, pos, deep[pos:pos + 4000])
    write(out, "nesting-deep", seed)
    seed = ReaderSeed([0])
    for depth in (30, 31, 32, 33):
        inner = b"[" * depth + b"]" * depth
        seed.read(0, depth, b'{"action":"start","id":1,"type":105,"fields":["/nix/store/a-b.drv"],"x":' + inner + b"}\n")
    write(out, "nesting-bound", seed)


class OptionsSeed:
    """An options_fuzz input (see fuzz/options_fuzz.cpp): choices off the end, free strings off the front."""
    KEYS = ["days", "months", "drv", "kind", "group", "group_by", "sort", "limit", "uid", "trusted", "before_days"]
    NUMBERS = [0, 1, 30, 3000, 3001, 100000, 100001, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF]
    TEXTS = ["build", "substitute", "copy", "post-build-hook", "count", "time", "name", "user", "", "Build", "x" * 4096, "x" * 4097]
    SIGNATURES = ["i", "t", "x", "d", "y", "as", "a{sv}", "v", "(uu)", "o", "g"]
    UNITS = ["day", "week", "month"]

    def __init__(self, method, unit, entries):
        self.front, self.tail = bytearray(), []
        self.tail += integral(["stats", "bucket", "test", "clean"].index(method), 0, 3, 32)
        self.choice(unit, self.UNITS, 16)
        self.tail += integral(len(entries), 0, 9, 32)
        for key, kind, value in entries:
            self.choice(key, self.KEYS, 16)
            self.tail += integral("usbo".index(kind), 0, 3, 32)
            if kind == "u":
                if value in self.NUMBERS:
                    self.tail += [1] + integral(self.NUMBERS.index(value), 0, len(self.NUMBERS) - 1, 64)
                else:
                    self.tail += [0] + integral(value, 0, 2**32 - 1, 32)
            elif kind == "s":
                self.choice(value, self.TEXTS, 64)
            elif kind == "b":
                self.tail += [1 if value else 0]
            else:
                self.choice(value, self.SIGNATURES, 8)

    def choice(self, value, known, max_length):
        if value in known:
            self.tail += [1] + integral(known.index(value), 0, len(known) - 1, 64)
        else:
            assert len(value) < max_length
            self.tail += [0]
            self.front += value.encode().replace(b"\\", b"\\\\") + b"\\."

    def bytes(self):
        return bytes(self.front) + bytes(reversed(self.tail))


def options_seeds(out):
    calls = {
        "stats-days": ("stats", "day", [("days", "u", 7)]),
        "stats-grouped": ("stats", "day", [("months", "u", 3), ("group", "b", True), ("limit", "u", 10),
                                           ("sort", "s", "time"), ("kind", "s", "build"), ("drv", "s", "hello")]),
        "stats-both-windows": ("stats", "day", [("days", "u", 7), ("months", "u", 1)]),
        "bucket-week": ("bucket", "week", [("days", "u", 28)]),
        "bucket-month-kind": ("bucket", "month", [("months", "u", 3000), ("kind", "s", "post-build-hook")]),
        "bucket-bad-unit": ("bucket", "year", [("days", "u", 1)]),
        "test-group": ("test", "day", [("days", "u", 30), ("group", "b", True), ("drv", "s", "x" * 4096)]),
        "test-unknown-key": ("test", "day", [("sort", "s", "name")]),
        "clean-before": ("clean", "day", [("before_days", "u", 90)]),
        "clean-other-type": ("clean", "day", [("before_days", "o", "as")]),
        "clean-everything": ("clean", "day", []),
    }
    for name, call in calls.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(OptionsSeed(*call).bytes())


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    for sub in ("reader", "options"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    reader_seeds(corpus, os.path.join(out, "reader"))
    options_seeds(os.path.join(out, "options"))


if __name__ == "__main__":
    main()
