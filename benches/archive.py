#!/usr/bin/env python3
"""Benchmark of `carton export` and `carton verify` against baselines measured in the same run.

usage: benches/archive.py [SITE] [--runs N]     (default SITE: ../shared/corpus/eig-hugo)

Commands alternate round by round (baseline, carton, ...) so that load from other users of
a shared machine falls on both. Baselines: `zip -r -0` of the same tree (stores, neither hashes nor describes anything),
`bagit.py --validate` on the unpacked bag, and reading every file once. Prints the median
of N warm runs for each, the ratios the targets are stated in, and carton's peak memory
(maximum resident set size, from wait4). Needs a release build (`cargo build --release`),
`zip` and `bagit.py` on PATH.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

from measure import run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CARTON = os.path.join(ROOT, "target", "release", "carton")


def report(label, times, mems):
    med = statistics.median(times)
    print(f"  {label:<38} median {med * 1000:8.0f} ms   (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; peak RSS {max(mems):.0f} MiB)")
    return med, max(mems)


def interleaved(pairs, runs):
    """Runs each (label, make_cmd, setup) in turn, `runs` rounds: a baseline and carton
    alternate, so drifting load on a shared machine hits both alike. Returns {label: (median, peak)}."""
    times = {label: [] for label, _, _ in pairs}
    mems = {label: [] for label, _, _ in pairs}
    for _ in range(runs):
        for label, make_cmd, setup in pairs:
            if setup:
                setup()
            t, m, _ = run(make_cmd())
            times[label].append(t)
            mems[label].append(m)
    return {label: report(label, times[label], mems[label]) for label, _, _ in pairs}


def main():
    parser = argparse.ArgumentParser(description="carton export/verify against baselines")
    parser.add_argument("site", nargs="?", default=os.path.join(ROOT, "..", "shared", "corpus", "eig-hugo"))
    parser.add_argument("--runs", type=int, default=7, help="rounds per command (default 7)")
    opts = parser.parse_args()
    runs = opts.runs
    site = os.path.abspath(opts.site)
    if not os.path.exists(CARTON):
        sys.exit("build first: cargo build --release")
    for tool in ("zip", "bagit.py"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not on PATH")
    files = sum(len(f) for _, _, f in os.walk(site))
    size = sum(os.path.getsize(os.path.join(d, x)) for d, _, fs in os.walk(site) for x in fs)
    print(f"site {site}: {files} files, {size / 1e6:.1f} MB; {runs} runs each, warm cache, {os.cpu_count()} cores")
    work = tempfile.mkdtemp(prefix="carton-bench-")
    try:
        zip_out = os.path.join(work, "baseline.zip")
        carton_out = os.path.join(work, "site.zip")

        def rm(p):
            return lambda: os.path.exists(p) and os.remove(p)

        # Each run writes a new output, as zip does: replacing an existing one would add the
        # time the file system takes to free the old one.
        # Warm the page cache.
        subprocess.run(["cat"] + [os.path.join(d, x) for d, _, fs in os.walk(site) for x in fs], stdout=subprocess.DEVNULL)
        subprocess.run([CARTON, "export", site, "-o", carton_out, "--force", "-qq"], check=True)
        unpacked = os.path.join(work, "unpacked")
        subprocess.run(["unzip", "-q", carton_out, "-d", unpacked], check=True)
        bag = os.path.join(unpacked, os.listdir(unpacked)[0])
        r = interleaved(
            [
                ("read every file (cat > /dev/null)", lambda: ["sh", "-c", f"find '{site}' -type f -exec cat {{}} + > /dev/null"], None),
                ("zip -r -0 (baseline)", lambda: ["sh", "-c", f"cd '{site}' && zip -q -r -0 '{zip_out}' ."], rm(zip_out)),
                ("carton export", lambda: [CARTON, "export", site, "-o", carton_out, "-qq"], rm(carton_out)),
                ("bagit.py --validate (unpacked bag)", lambda: ["bagit.py", "--quiet", "--validate", bag], None),
                ("carton verify (zip)", lambda: [CARTON, "verify", carton_out, "-qq"], None),
            ],
            runs,
        )
        read_all = r["read every file (cat > /dev/null)"][0]
        zip0 = r["zip -r -0 (baseline)"][0]
        export, export_mem = r["carton export"]
        bagit = r["bagit.py --validate (unpacked bag)"][0]
        verify, verify_mem = r["carton verify (zip)"]
        print()
        print(f"  export / zip -r -0          = {export / zip0:.2f}   (target <= 1.00)")
        print(f"  verify / bagit.py --validate = {verify / bagit:.2f}   (target <= 0.50)")
        print(f"  export / read every file     = {export / read_all:.2f}")
        print(f"  peak memory: export {export_mem:.0f} MiB, verify {verify_mem:.0f} MiB   (target < 100 MB)")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
