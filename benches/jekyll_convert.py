#!/usr/bin/env python3
"""`carton convert` of a Jekyll site to Hugo beside `hugo import jekyll` on the same input.

usage: benches/jekyll_convert.py [SITE] [--runs N] [--mapping FILE]
       (default SITE: ../shared/corpus/eig-jekyll; default mapping: the shipped EIG one when
       SITE is that corpus)

Runs alternate round by round (hugo import, carton convert, ...) so that load on a shared
machine falls on both. Prints the median time of each, then what each wrote: files, content
pages, and how many of the Jekyll site's page URLs the output would publish (pages whose
front matter sets the old URL, or keeps it as an alias). Needs a release build
(`cargo build --release`) and Debian's `hugo` (0.111, which still has `hugo import jekyll`).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CARTON = os.path.join(ROOT, "target", "release", "carton")


def timed(cmd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed


def files_of(tree):
    out = []
    for d, _, names in os.walk(tree):
        out.extend(os.path.relpath(os.path.join(d, n), tree) for n in names)
    return out


URL_LINE = re.compile(r"^(url|aliases|- )\s*:?\s*(\S+)\s*$")


def published_urls(tree):
    """URLs the Hugo site's pages claim: `url:` and `aliases:` entries of their front matter."""
    urls = set()
    content = os.path.join(tree, "content")
    for f in files_of(content):
        if not f.endswith(".md"):
            continue
        text = open(os.path.join(content, f), encoding="utf-8", errors="replace").read()
        if not text.startswith("---"):
            continue
        block = text.split("---", 2)[1]
        in_aliases = False
        for line in block.splitlines():
            if line.startswith("url:"):
                urls.add(line.split(":", 1)[1].strip().strip("'\""))
            in_aliases = line.startswith("aliases:") or (in_aliases and line.startswith("- "))
            if in_aliases and line.startswith("- "):
                urls.add(line[2:].strip().strip("'\""))
    return urls


def jekyll_urls(site):
    """The page URLs of the Jekyll site, from carton's archive of it."""
    tmp = tempfile.mkdtemp()
    try:
        zip_path = os.path.join(tmp, "site.zip")
        subprocess.run([CARTON, "export", site, "-o", zip_path, "-q"], check=True, stderr=subprocess.DEVNULL)
        with zipfile.ZipFile(zip_path) as z:
            name = next(n for n in z.namelist() if n.endswith("data/carton.json"))
            model = json.loads(z.read(name))
        return [p["url"] for p in model["pages"] if not p["draft"]]
    finally:
        shutil.rmtree(tmp)


def norm(u):
    u = u.strip()
    for suffix in ("index.html", ".html"):
        if u.endswith(suffix):
            u = u[: -len(suffix)]
    return u.rstrip("/").lower()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("site", nargs="?", default=os.path.join(ROOT, "..", "shared", "corpus", "eig-jekyll"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--mapping")
    args = ap.parse_args()
    site = os.path.abspath(args.site)
    mapping = args.mapping
    if mapping is None and os.path.basename(site.rstrip("/")) == "eig-jekyll":
        mapping = os.path.join(ROOT, "mappings", "eig-jekyll-to-hugo.yaml")
    hugo = shutil.which("hugo")
    if not os.path.exists(CARTON) or not hugo:
        sys.exit("needs target/release/carton (cargo build --release) and hugo on PATH")
    work = tempfile.mkdtemp()
    hugo_out = os.path.join(work, "hugo-import")
    carton_out = os.path.join(work, "carton")
    times = {"hugo import jekyll": [], "carton convert": []}
    try:
        for _ in range(args.runs):
            shutil.rmtree(hugo_out, ignore_errors=True)
            times["hugo import jekyll"].append(timed([hugo, "import", "jekyll", site, hugo_out]))
            cmd = [CARTON, "convert", site, "--to", "hugo", "-o", carton_out, "--force", "-q"]
            if mapping:
                cmd += ["--mapping", mapping]
            times["carton convert"].append(timed(cmd))
        old = {norm(u) for u in jekyll_urls(site)}
        print(f"{site}: {len(old)} published page URLs in the Jekyll site; {args.runs} runs each")
        base = statistics.median(times["hugo import jekyll"])
        for label, tree in (("hugo import jekyll", hugo_out), ("carton convert", carton_out)):
            med = statistics.median(times[label])
            files = files_of(tree)
            pages = [f for f in files if f.startswith("content" + os.sep) and f.endswith(".md")]
            kept = old & {norm(u) for u in published_urls(tree)}
            print(
                f"  {label:<20} median {med * 1000:7.0f} ms (x{med / base:.2f})   "
                f"files {len(files):4}   content pages {len(pages):4}   old page URLs kept {len(kept):4} of {len(old)}"
            )
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
