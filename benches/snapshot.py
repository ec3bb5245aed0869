#!/usr/bin/env python3
"""Benchmark of `carton snapshot` (a versioned OCFL 1.1 store, archive/SNAPSHOTS.md) against
baselines measured in the same run.

usage: benches/snapshot.py [--site PATH] [--runs N] [--versions N] [--quick]
       (default site: ../shared/corpus/eig-hugo; 5 runs; 43 versions; --quick: 2 runs, 10 versions)

Three targets, three parts:

1. A first snapshot no slower than rocfl's v1 commit. Baseline: rocfl (crates.io rocfl 1.7.0)
   puts the same site in a new storage root as v1 of an object, the whole sequence timed:
       rocfl -r ROOT init                          (a new storage root, layout 0004 as carton's)
       rocfl -r ROOT new eig                       (stage the object)
       rocfl -r ROOT cp -r eig SITE/<each entry> -- /   (copy the whole tree: hashes, stages)
       rocfl -r ROOT commit eig                    (v1: dedup, inventory, move into place)
   against `carton snapshot SITE --repo STORE --id eig -q`, STORE absent before each run (carton
   creates it). Ratio: carton / the rocfl sequence (target <= 1.00). rocfl's steps, commit alone
   included, are printed too. Both hash and copy every byte: rocfl SHA-512; carton SHA-512 and
   SHA-256 (its fixity block), and it also reads the site's pages to write `.carton/carton.json.gz` and `.carton/ro-crate-metadata.json.gz`.
2. A snapshot of the unchanged site at most a fifth of restic's second backup. Baseline:
   `restic backup SITE --repo R -q` into a repository that already holds a backup of the site
   (`restic init` and the first backup are not timed; every timed run is a backup of the
   unchanged site with a parent snapshot: the Nth costs what the second does). Against a
   `carton snapshot` of the unchanged site into a store that already holds v1 (it answers "no
   change" and adds nothing, which is checked). Ratio: carton / restic (target <= 0.20).
   `carton snapshot --rehash` (reads and hashes every file) is measured as information.
3. A year of edits adds store metadata under 10% of the site's size. Not timed against a
   baseline: the site is copied to a temporary folder and, for each of 43 rounds (the EIG
   site changed on about 43 days a year, archive/SNAPSHOTS.md section 7), 4 Markdown pages
   under content/ get a line appended (rotating through the pages, in path order) and one new
   page is added under content/blog/, then `carton snapshot` adds a version (checked: the
   rounds make v1 ... v43). Metadata = the store's bytes
   (the sum of its files' sizes) minus the bytes of its content files (`vN/content/...` of the
   object); the site's size = the sum of the original site's file sizes. Prints the breakdown
   (inventory, sidecar, stat cache, root files), and, apart, the bytes of the files carton
   generates into each version's content (`.carton/carton.json.gz` and `.carton/ro-crate-metadata.json.gz`), which the definition counts
   as content although they describe the site rather than being part of it.

Method: the page cache is warmed by reading every file of the site, then one untimed warm-up
of each command. Timed commands alternate round by round (baseline, carton, ...) so that load
from other users of a shared machine falls on all of them alike; before each timed command,
the previous run's output is removed and os.sync() flushes pending writes (so one command's
writeback is not paid by the next). Prints the median of N runs (min, max), peak memory
(maximum resident set size, from wait4; for rocfl the largest of its four commands), and the
ratios the targets are stated in. Temporary folders are made under the repo's target/ (same
file system as the build) and removed at the end.

Needs a release build (`cargo build --release`). rocfl (`cargo install rocfl --version 1.7.0`)
and restic (`apt-get install -y restic`) are optional: when one is missing, its comparison is
skipped with a message.
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile

from measure import run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CARTON = os.path.join(ROOT, "target", "release", "carton")
ID = "eig"
RESTIC_PASSWORD = "bench"
EDITS_PER_VERSION = 4


def report(label, times, mems):
    med = statistics.median(times)
    print(f"  {label:<44} median {med * 1000:8.0f} ms   (min {min(times) * 1000:.0f}, "
          f"max {max(times) * 1000:.0f}; peak RSS {max(mems):.0f} MiB)")
    return med, max(mems)


def interleaved(cases, runs):
    """cases: (label, steps, setup), steps a list of (step label, cmd, env). Runs every case in
    turn, `runs` rounds, so drifting load hits all alike; a case's time is the sum of its steps.
    Prints and returns {label: (median, peak RSS)}, and {(label, step): median} for cases of
    several steps."""
    times = {label: [] for label, _, _ in cases}
    mems = {label: [] for label, _, _ in cases}
    steps = {(label, s): [] for label, st, _ in cases for s, _, _ in st}
    for _ in range(runs):
        for label, st, setup in cases:
            if setup:
                setup()
            os.sync()
            total = 0.0
            for s, cmd, env in st:
                t, m, _ = run(cmd, env)
                total += t
                steps[(label, s)].append(t)
                mems[label].append(m)
            times[label].append(total)
    result, step_meds = {}, {}
    for label, st, _ in cases:
        result[label] = report(label, times[label], mems[label])
        if len(st) > 1:
            for s, _, _ in st:
                ts = steps[(label, s)]
                step_meds[(label, s)] = statistics.median(ts)
                print(f"      {s:<40} median {statistics.median(ts) * 1000:8.0f} ms   "
                      f"(min {min(ts) * 1000:.0f}, max {max(ts) * 1000:.0f})")
    return result, step_meds


def site_files(site):
    return [os.path.join(d, f) for d, _, fs in os.walk(site) for f in fs
            if os.path.isfile(os.path.join(d, f)) and not os.path.islink(os.path.join(d, f))]


def object_roots(store):
    return sorted(d for d, _, fs in os.walk(store) if "0=ocfl_object_1.1" in fs)


def inventory(store):
    """The inventory of the store's only object (None when it has none)."""
    roots = object_roots(store)
    if len(roots) != 1:
        return None
    with open(os.path.join(roots[0], "inventory.json"), encoding="utf-8") as f:
        return json.load(f)


def state_files(inv, version):
    return sum(len(paths) for paths in inv["versions"][version]["state"].values())


def rmtree(path):
    return lambda: shutil.rmtree(path, ignore_errors=True)


def shown(cmd, names):
    """The command line with temporary paths replaced by their names (SITE, STORE, ...)."""
    out = []
    for c in cmd:
        c = os.path.relpath(c, ROOT) if c == CARTON else c
        for path, name in names:
            if c == path or c.startswith(path + os.sep):
                c = name + c[len(path):]
                break
        out.append(c)
    return shlex.join(out)


def footprint(store):
    """Bytes of the store by kind: content (site files, generated .carton/ files) and metadata
    (everything else, by file name)."""
    kinds = {}
    roots = object_roots(store)
    for d, _, fs in os.walk(store):
        for f in fs:
            p = os.path.join(d, f)
            size = os.path.getsize(p)
            obj = next((r for r in roots if p.startswith(r + os.sep)), None)
            rel = os.path.relpath(p, obj).split(os.sep) if obj else None
            if rel and len(rel) > 2 and re.fullmatch(r"v\d+", rel[0]) and rel[1] == "content":
                kind = "content: generated .carton/" if rel[2] == ".carton" else "content: site files"
            elif rel and rel == ["inventory.json"]:
                kind = "metadata: inventory.json"
            elif rel and rel == ["inventory.json.sha512"]:
                kind = "metadata: inventory sidecar"
            elif rel and len(rel) == 2 and re.fullmatch(r"v\d+", rel[0]):
                kind = "metadata: inventory copies in versions"
            elif rel:
                kind = "metadata: object declaration, other"
            elif f == "carton-stat-cache.json":
                kind = "metadata: stat cache"
            else:
                kind = "metadata: storage root files"
            kinds[kind] = kinds.get(kind, 0) + size
    return kinds


def first_snapshot(site, work, runs, rocfl, names):
    store = os.path.join(work, "first-store")
    root = os.path.join(work, "rocfl-root")
    names += [(store, "STORE"), (root, "ROOT")]
    carton = [CARTON, "snapshot", site, "--repo", store, "--id", ID, "-q"]
    entries = [os.path.join(site, e) for e in sorted(os.listdir(site))]
    cases = []
    if rocfl:
        steps = [
            ("rocfl init", [rocfl, "-r", root, "init"], None),
            ("rocfl new", [rocfl, "-r", root, "new", ID], None),
            ("rocfl cp -r (whole tree)", [rocfl, "-r", root, "cp", "-r", ID, *entries, "--", "/"], None),
            ("rocfl commit", [rocfl, "-r", root, "commit", ID], None),
        ]
        cases.append(("rocfl init+new+cp+commit (baseline)", steps, rmtree(root)))
    cases.append(("carton snapshot, first (fresh store)", [("carton", carton, None)], rmtree(store)))
    print("1. first snapshot: commands")
    for label, steps, _ in cases:
        for _, cmd, _ in steps:
            print(f"    {shown(cmd, names)}")
    if not rocfl:
        print("  ! rocfl not found: install it with `cargo install rocfl --version 1.7.0`; "
              "skipping the comparison with rocfl's v1 commit")
    # Warm-up, not counted.
    for _, steps, setup in cases:
        setup()
        for _, cmd, env in steps:
            run(cmd, env)
    r, step_meds = interleaved(cases, runs)
    n = len(site_files(site))
    inv = inventory(store)
    if not inv or inv["head"] != "v1" or state_files(inv, "v1") != n + 3:
        print(f"  ! carton's store does not hold v1 with the site's {n} files and .carton/'s three: "
              f"head {inv and inv['head']}, {inv and state_files(inv, inv['head'])} files")
    if rocfl:
        rinv = inventory(root)
        if not rinv or rinv["head"] != "v1" or state_files(rinv, "v1") != n:
            print(f"  ! rocfl's object is not v1 with the site's {n} files: "
                  f"head {rinv and rinv['head']}, {rinv and state_files(rinv, rinv['head'])} files")
    shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    return r, step_meds


def unchanged_snapshot(site, work, runs, restic, names):
    store = os.path.join(work, "unchanged-store")
    repo = os.path.join(work, "restic-repo")
    cache = os.path.join(work, "restic-cache")
    names += [(store, "STORE"), (repo, "R"), (cache, "CACHE")]
    carton = [CARTON, "snapshot", site, "--repo", store, "--id", ID, "-q"]
    rehash = carton + ["--rehash"]
    env = dict(os.environ, RESTIC_PASSWORD=RESTIC_PASSWORD, RESTIC_CACHE_DIR=cache)
    backup = [restic, "backup", site, "--repo", repo, "-q"] if restic else None
    print("2. unchanged site: setup (not timed)")
    print(f"    {shown(carton, names)}    # v1")
    if restic:
        print(f"    export RESTIC_PASSWORD={RESTIC_PASSWORD} RESTIC_CACHE_DIR=CACHE")
        print(f"    {shown([restic, 'init', '--repo', repo, '-q'], names)}")
        print(f"    {shown(backup, names)}    # the first backup")
    print("   commands")
    cases = []
    if restic:
        print(f"    {shown(backup, names)}    # a second backup of the unchanged site")
        cases.append(("restic backup, second (baseline)", [("restic", backup, env)], None))
    print(f"    {shown(carton, names)}    # no change")
    print(f"    {shown(rehash, names)}")
    cases += [("carton snapshot, unchanged", [("carton", carton, None)], None),
              ("carton snapshot --rehash, unchanged", [("carton", rehash, None)], None)]
    if not restic:
        print("  ! restic not found: install it with `apt-get install -y restic`; "
              "skipping the comparison with restic's second backup")
    run(carton)
    if restic:
        run([restic, "init", "--repo", repo, "-q"], env)
        run(backup, env)
    # Warm-up, not counted.
    for _, steps, _ in cases:
        for _, cmd, e in steps:
            run(cmd, e)
    r, _ = interleaved(cases, runs)
    inv = inventory(store)
    if not inv or inv["head"] != "v1":
        print(f"  ! the unchanged site added a version: head {inv and inv['head']}")
    if os.path.exists(os.path.join(store, "extensions", "carton-staging")):
        print("  ! a staging folder was left in the store")
    shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(repo, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    return r


def new_page(n):
    body = "\n\n".join(
        f"Paragraphe {k} de la semaine {n} : le défi avance, l'équipe publie ses résultats, "
        f"ses jeux de données et le code source de ses outils, réutilisables par d'autres services."
        for k in range(1, 16))
    return (f"---\ntitle: Semaine {n} du benchmark\ndate: 2025-01-{1 + n % 28:02d}T00:00:00.000Z\n"
            f"author: Benchmark carton\ncategories:\n- Benchmark\nvisible: true\n---\n\n{body}\n")


def year_of_edits(site, site_bytes, work, versions, names):
    copy = os.path.join(work, "year-site")
    store = os.path.join(work, "year-store")
    names += [(copy, "COPY"), (store, "STORE")]
    shutil.copytree(site, copy, symlinks=True)
    pages = sorted(p for p in glob.glob(os.path.join(copy, "content", "**", "*.md"), recursive=True))
    blog = os.path.join(copy, "content", "blog")
    carton = [CARTON, "snapshot", copy, "--repo", store, "--id", ID, "-q", "--json"]
    print(f"3. a year of edits: {versions} rounds of {EDITS_PER_VERSION} pages edited (a line appended) "
          f"and 1 page added, then")
    print(f"    {shown(carton, names)}")
    print(f"   COPY: a copy of SITE; pages edited in rotation among its {len(pages)} Markdown pages "
          f"under content/; new pages content/blog/bench-week-NN.md ({len(new_page(1).encode())} bytes)")
    times, mems, inv1 = [], [], None
    for v in range(1, versions + 1):
        for k in range(EDITS_PER_VERSION):
            with open(pages[((v - 1) * EDITS_PER_VERSION + k) % len(pages)], "a", encoding="utf-8") as f:
                f.write(f"\nModifié pour la version {v} du benchmark.\n")
        os.makedirs(blog, exist_ok=True)
        with open(os.path.join(blog, f"bench-week-{v:02d}.md"), "w", encoding="utf-8") as f:
            f.write(new_page(v))
        t, m, out = run(carton, capture=True)
        times.append(t)
        mems.append(m)
        result = json.loads(out).get("result", {})
        if result.get("outcome") != "created" or result.get("version") != f"v{v}":
            print(f"  ! round {v}: expected version v{v} to be created, carton answered {result}")
        if v == 1:
            inv1 = os.path.getsize(os.path.join(object_roots(store)[0], "inventory.json"))
    kinds = footprint(store)
    total = sum(kinds.values())
    content = sum(b for k, b in kinds.items() if k.startswith("content"))
    meta = total - content
    generated = kinds.get("content: generated .carton/", 0)
    inv = inventory(store)
    final_bytes = sum(os.path.getsize(p) for p in site_files(copy))
    print()
    _, peak = report(f"carton snapshot, v2 to v{versions} (5 files changed)", times[1:] or times, mems[1:] or mems)
    print(f"    (v1, the whole site: {times[0] * 1000:.0f} ms; head after the year: {inv['head']}, "
          f"{state_files(inv, inv['head'])} files)")
    print(f"  store: {total:,} bytes in all")
    for k in sorted(kinds):
        print(f"    {k:<40} {kinds[k]:>13,} bytes")
    print(f"  inventory.json: {inv1:,} bytes at v1, "
          f"{kinds.get('metadata: inventory.json', 0):,} at v{versions}")
    print(f"  site: {site_bytes:,} bytes before the year, {final_bytes:,} after")
    shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(copy, ignore_errors=True)
    return meta, generated, peak


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    parser = argparse.ArgumentParser(description="carton snapshot against rocfl and restic")
    parser.add_argument("--site", default=os.path.join(ROOT, "..", "shared", "corpus", "eig-hugo"),
                        help="the site's folder (default ../shared/corpus/eig-hugo)")
    parser.add_argument("--runs", type=int, help="rounds per command (default 5; 2 with --quick)")
    parser.add_argument("--versions", type=int, help="versions in the year of edits (default 43; 10 with --quick)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 2 runs, 10 versions")
    opts = parser.parse_args()
    runs = opts.runs or (2 if opts.quick else 5)
    versions = opts.versions or (10 if opts.quick else 43)
    site = os.path.abspath(opts.site)
    if not os.path.exists(CARTON):
        print("run cargo build --release first", file=sys.stderr)
        sys.exit(2)
    if not os.path.isdir(site):
        sys.exit(f"no site at {site}")
    rocfl = shutil.which("rocfl") or next(
        (p for p in [os.path.expanduser("~/.cargo/bin/rocfl")] if os.access(p, os.X_OK)), None)
    restic = shutil.which("restic")

    git = lambda *a: subprocess.run(["git", "-C", ROOT, *a], capture_output=True, text=True).stdout.strip()
    version = lambda cmd: subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    dirty = " + uncommitted changes" if git("status", "--porcelain") else ""
    print(f"{version([CARTON, '--version'])}, commit {git('rev-parse', '--short', 'HEAD')}{dirty}; "
          f"{os.cpu_count()} CPUs; {runs} runs each")
    print(f"baselines: {version([rocfl, '--version']) if rocfl else 'rocfl missing'}; "
          f"{version([restic, 'version']) if restic else 'restic missing'}")
    newest = max(os.path.getmtime(os.path.join(d, f)) for d, _, fs in os.walk(os.path.join(ROOT, "src")) for f in fs)
    if newest > os.path.getmtime(CARTON):
        print("  ! target/release/carton is older than src/: run cargo build --release")
    files = site_files(site)
    site_bytes = sum(os.path.getsize(p) for p in files)
    print(f"SITE = {site}: {len(files)} files, {site_bytes / 1e6:.1f} MB ({site_bytes:,} bytes); "
          f"warm cache")
    names = [(site, "SITE")]
    # Warm the page cache.
    for p in files:
        with open(p, "rb") as f:
            while f.read(1 << 20):
                pass
    with tempfile.TemporaryDirectory(prefix="carton-snapshot-bench-", dir=os.path.join(ROOT, "target")) as work:
        print(f"temporary folders (STORE, ROOT, R, CACHE, COPY) under {work}")
        print()
        first, rocfl_steps = first_snapshot(site, work, runs, rocfl, list(names))
        print()
        unchanged = unchanged_snapshot(site, work, runs, restic, list(names))
        print()
        meta, generated, year_mem = year_of_edits(site, site_bytes, work, versions, list(names))

    print()
    print("targets:")
    carton_first = first["carton snapshot, first (fresh store)"][0]
    if rocfl:
        base = first["rocfl init+new+cp+commit (baseline)"][0]
        ratio = carton_first / base
        print(f"  carton first / rocfl v1 (init+new+cp+commit)   = {ratio:5.2f}   "
              f"(target <= 1.00: {verdict(ratio <= 1.0)})")
        commit = rocfl_steps[("rocfl init+new+cp+commit (baseline)", "rocfl commit")]
        cp = rocfl_steps[("rocfl init+new+cp+commit (baseline)", "rocfl cp -r (whole tree)")]
        print(f"  carton first / rocfl cp + commit               = {carton_first / (cp + commit):5.2f}   (information)")
        print(f"  rocfl commit alone: {commit * 1000:.0f} ms (median)")
    else:
        print("  first snapshot vs rocfl: skipped (rocfl missing)")
    same = unchanged["carton snapshot, unchanged"][0]
    rehash = unchanged["carton snapshot --rehash, unchanged"][0]
    if restic:
        base = unchanged["restic backup, second (baseline)"][0]
        ratio = same / base
        print(f"  carton unchanged / restic second backup        = {ratio:5.2f}   "
              f"(target <= 0.20: {verdict(ratio <= 0.2)})")
        print(f"  carton unchanged --rehash / restic second      = {rehash / base:5.2f}   (information)")
    else:
        print("  unchanged snapshot vs restic: skipped (restic missing)")
    print(f"  carton unchanged / carton first                = {same / carton_first:5.2f}   (information)")
    pct = 100 * meta / site_bytes
    print(f"  store metadata after {versions} versions = {meta:,} bytes = {pct:.2f}% of the site's "
          f"{site_bytes:,} bytes   (target < 10%: {verdict(pct < 10)})")
    print(f"  with the generated .carton/ files ({generated:,} bytes, stored as content) = "
          f"{100 * (meta + generated) / site_bytes:.2f}% of the site   (information)")
    print(f"  carton's peak memory: first {first['carton snapshot, first (fresh store)'][1]:.0f} MiB, "
          f"unchanged {unchanged['carton snapshot, unchanged'][1]:.0f} MiB, "
          f"--rehash {unchanged['carton snapshot --rehash, unchanged'][1]:.0f} MiB, "
          f"a version of the year {year_mem:.0f} MiB")


if __name__ == "__main__":
    main()
