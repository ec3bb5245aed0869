#!/usr/bin/env python3
"""Benchmark of `carton export --fetch=documents` against a baseline measured in the same run.

usage: benches/fetch.py [--runs N] [--latency-ms MS] [--mbps MB_PER_S] [--quick]

The script starts its own HTTP server (threads of this process) on 127.0.0.1, 127.0.0.2,
127.0.0.3 and 127.0.0.4 (all loopback on Linux: four "remote hosts"). It answers
`GET /doc/<n>.pdf?size=<bytes>` with an `application/pdf` body of that size (`%PDF-1.4`, a
line naming n, so that no two documents share bytes, then deterministic incompressible
filler), generated and sent in 64 KiB pieces. To play a remote host, each answer waits
--latency-ms (default 40) before its headers, and each connection is paced to --mbps
(default 50 MB/s, 10^6 bytes); sockets are TCP_NODELAY, as web servers' are.

It builds Hugo sites whose pages (10 links each) link the documents, and runs
`carton export SITE -o OUT.zip --fetch=documents --json -q --force` without proxy variables.
Commands alternate round by round so that load from other users of a shared machine falls
on all of them. Cases:

  one at a time (baseline)   200 x 1 MB on 4 hosts, --fetch-jobs 1 --fetch-per-host 1
  default                    200 x 1 MB on 4 hosts, carton's default limits
  default, one host          200 x 1 MB all on 127.0.0.1 (information: the per-host limit,
                             4 by default, caps this case near 4x)
  default, 20 x 10 MB        same total bytes, bigger documents (memory)
  default, 2 x 100 MB        same total bytes, the biggest documents (memory)

Prints, for each, the median wall time and the median of the report's `fetch.elapsed_ms` (the
network part alone), peak memory (maximum resident set size, from wait4), the most requests
the server saw in flight at once, then the ratios the targets are stated in:
  - default at least 4x faster than one at a time, on the network part;
  - memory does not grow with document size: the 2 x 100 MB peak within 1.5x of the
    200 x 1 MB peak.
Every run is checked: all documents stored, none failed, every byte downloaded; a failure is
printed with carton's `dead` list. --quick is a smoke test: 40 x 1 MB (memory: 40 x 1 MB,
4 x 10 MB, 1 x 40 MB) and 2 runs. Needs a release build (`cargo build --release`).
"""
import argparse
import http.server
import json
import os
import random
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from measure import run
import urllib.parse
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CARTON = os.path.join(ROOT, "target", "release", "carton")
HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
MB = 1_000_000
CHUNK = 64 * 1024
LINKS_PER_PAGE = 10
# Incompressible, like the compressed streams of a real PDF; the same every run.
FILLER = random.Random(20240601).randbytes(CHUNK)
PROXY_VARS = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
              "http_proxy", "https_proxy", "all_proxy", "no_proxy"]
NO_PROXY = ",".join(HOSTS + ["localhost"])


class Stats:
    """What the server saw during one carton run: requests, bytes, most in flight at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.requests = 0
            self.bytes = 0
            self.in_flight = {}
            self.max_host = 0
            self.total = 0
            self.max_total = 0

    def start(self, host):
        with self.lock:
            self.requests += 1
            self.in_flight[host] = self.in_flight.get(host, 0) + 1
            self.total += 1
            self.max_host = max(self.max_host, self.in_flight[host])
            self.max_total = max(self.max_total, self.total)

    def end(self, host, sent):
        with self.lock:
            self.in_flight[host] -= 1
            self.total -= 1
            self.bytes += sent


STATS = Stats()


class DocHandler(http.server.BaseHTTPRequestHandler):
    """GET /doc/<n>.pdf?size=<bytes>: a PDF of that size, after the latency, at the rate."""

    protocol_version = "HTTP/1.1"
    server_version = "carton-fetch-bench"
    latency = 0.040
    rate = 50 * MB

    def setup(self):
        super().setup()
        # As web servers do (nginx: tcp_nodelay on). Without it, on a kept-alive connection
        # the end of each 64 KiB piece waits for the client's delayed ACK: 40 ms a request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        m = re.fullmatch(r"/doc/(\d+)\.pdf", url.path)
        size = urllib.parse.parse_qs(url.query).get("size", [""])[0]
        if not m or not size.isdigit():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        n, size = int(m.group(1)), int(size)
        host = self.server.server_address[0]
        STATS.start(host)
        sent = 0
        try:
            time.sleep(self.latency)
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            head = f"%PDF-1.4\n% carton fetch benchmark, document {n}\n".encode()
            start = time.perf_counter()
            while sent < size:
                piece = (head + FILLER[len(head):]) if sent == 0 else FILLER
                piece = piece[:size - sent]
                self.wfile.write(piece)
                sent += len(piece)
                ahead = start + sent / self.rate - time.perf_counter()
                if ahead > 0 and sent < size:
                    time.sleep(ahead)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            STATS.end(host, sent)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog (5) drops connection attempts when 16 arrive at once; the client
    # then waits a second for its SYN to be sent again.
    request_queue_size = 128


def start_servers():
    """One server per loopback address, on the same port when it is free on all four.
    Returns (servers, {host: port})."""
    for _ in range(20):
        servers = [Server((HOSTS[0], 0), DocHandler)]
        port = servers[0].server_address[1]
        try:
            for h in HOSTS[1:]:
                servers.append(Server((h, port), DocHandler))
            break
        except OSError:
            for s in servers:
                s.server_close()
    else:
        servers = [Server((h, 0), DocHandler) for h in HOSTS]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    return servers, {s.server_address[0]: s.server_address[1] for s in servers}


def make_site(path, sizes, hosts, ports):
    """A Hugo site linking len(sizes) documents, spread round-robin over `hosts`, 10 a page."""
    os.makedirs(os.path.join(path, "content", "docs"))
    with open(os.path.join(path, "hugo.toml"), "w") as f:
        f.write('baseURL = "https://example.org/"\ntitle = "bench"\n')
    for k in range(0, len(sizes), LINKS_PER_PAGE):
        lines = [f"---\ntitle: P{k // LINKS_PER_PAGE + 1}\n---\n"]
        for n in range(k + 1, min(k + LINKS_PER_PAGE, len(sizes)) + 1):
            host = hosts[(n - 1) % len(hosts)]
            lines.append(f"- [doc {n}](http://{host}:{ports[host]}/doc/{n}.pdf?size={sizes[n - 1]})")
        with open(os.path.join(path, "content", "docs", f"page-{k // LINKS_PER_PAGE + 1}.md"), "w") as f:
            f.write("\n".join(lines) + "\n")
    return path


def carton_env():
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env["NO_PROXY"] = env["no_proxy"] = NO_PROXY
    return env


def check(label, doc, count, total):
    """Problems of one run's fetch report: documents not stored, bytes missing. Prints carton's
    `dead` list when there is one. Returns True when the run got everything."""
    f = doc.get("fetch") or {}
    ok = (f.get("documents_stored") == count and f.get("documents_failed", 0) == 0
          and f.get("bytes_downloaded") == total)
    if not ok:
        print(f"  ! {label}: {f.get('documents_stored')} of {count} documents stored, "
              f"{f.get('documents_failed')} failed, {f.get('bytes_downloaded')} of {total} bytes, "
              f"{f.get('requests')} requests")
        for d in (f.get("dead") or [])[:10]:
            print(f"      dead: {d.get('url')} [{d.get('error')}] {d.get('reason')}")
        if len(f.get("dead") or []) > 10:
            print(f"      ... and {len(f['dead']) - 10} more")
    return ok


def report(label, r):
    wall, net = statistics.median(r["wall"]), statistics.median(r["net"])
    print(f"  {label:<34} wall {wall * 1000:7.0f} ms   network {net:7.0f} ms "
          f"(min {min(r['net']):.0f}, max {max(r['net']):.0f})   peak RSS {max(r['rss']):5.1f} MiB   "
          f"in flight: {max(r['max_host'])}/host, {max(r['max_total'])} in all")
    return wall, net, max(r["rss"])


def main():
    parser = argparse.ArgumentParser(description="carton export --fetch against one request at a time")
    parser.add_argument("--runs", type=int, help="rounds per case (default 5; 2 with --quick)")
    parser.add_argument("--latency-ms", type=float, default=40, help="wait before each answer's headers (default 40)")
    parser.add_argument("--mbps", type=float, default=50, help="per-connection rate, MB/s (default 50)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 40 x 1 MB, 2 runs")
    opts = parser.parse_args()
    runs = opts.runs or (2 if opts.quick else 5)
    if not os.path.exists(CARTON):
        print("run cargo build --release first", file=sys.stderr)
        sys.exit(2)
    newest = max(os.path.getmtime(os.path.join(d, f)) for d, _, fs in os.walk(os.path.join(ROOT, "src")) for f in fs)
    DocHandler.latency = opts.latency_ms / 1000
    DocHandler.rate = opts.mbps * MB

    n_docs = 40 if opts.quick else 200
    total = n_docs * MB
    mem_cases = [(n_docs, MB), (4, 10 * MB), (1, 40 * MB)] if opts.quick else [(200, MB), (20, 10 * MB), (2, 100 * MB)]
    git = lambda *a: subprocess.run(["git", "-C", ROOT, *a], capture_output=True, text=True).stdout.strip()
    version = subprocess.run([CARTON, "--version"], capture_output=True, text=True).stdout.strip()
    dirty = " + uncommitted changes" if git("status", "--porcelain") else ""
    print(f"{version}, commit {git('rev-parse', '--short', 'HEAD')}{dirty}; {os.cpu_count()} CPUs; {runs} runs each")
    if newest > os.path.getmtime(CARTON):
        print("  ! target/release/carton is older than src/: run cargo build --release")
    servers, ports = start_servers()
    print(f"server: {', '.join(f'{h}:{p}' for h, p in ports.items())}; latency {opts.latency_ms:g} ms before "
          f"the headers, {opts.mbps:g} MB/s per connection")
    env = carton_env()
    try:
        with tempfile.TemporaryDirectory(prefix="carton-fetch-bench-") as work:
            out = os.path.join(work, "out.zip")

            def site(name, sizes, hosts):
                return make_site(os.path.join(work, name), sizes, hosts, ports)

            spread = site("spread", [MB] * n_docs, HOSTS)
            one_host = site("one-host", [MB] * n_docs, HOSTS[:1])
            big = [(f"default, {n} x {s // MB} MB", site(f"big-{s // MB}", [s] * n, HOSTS), n, n * s)
                   for n, s in mem_cases[1:]]

            def export(s, *flags):
                return [CARTON, "export", s, "-o", out, "--fetch=documents", *flags, "--json", "-q", "--force"]

            baseline_label = "one at a time (baseline)"
            default_label = f"default, {n_docs} x 1 MB"
            cases = [
                (baseline_label, export(spread, "--fetch-jobs", "1", "--fetch-per-host", "1"), n_docs, total),
                (default_label, export(spread), n_docs, total),
                ("default, one host", export(one_host), n_docs, total),
            ] + [(label, export(s), n, b) for label, s, n, b in big]

            print("commands (SITE, OUT: temporary; env -u for each proxy variable):")
            print(f"  env {' '.join('-u ' + v for v in PROXY_VARS)} NO_PROXY={NO_PROXY} no_proxy={NO_PROXY} \\")
            for label, cmd, _, _ in cases:
                shown = [os.path.relpath(c, ROOT) if c == CARTON else c for c in cmd]
                shown = ["SITE" if c.startswith(work) and c != out else "OUT.zip" if c == out else c for c in shown]
                print(f"    {shlex.join(shown)}    # {label}: {os.path.basename(cmd[2])}")
            per_doc = opts.latency_ms / 1000 + MB / DocHandler.rate
            print(f"  a 1 MB document takes {per_doc * 1000:.0f} ms alone: one at a time would take "
                  f"{n_docs * per_doc:.1f} s of network")

            # Warm-up, not counted: also checks that the archive holds every document.
            _, _, doc = run(cases[1][1], env, capture=True)
            doc = json.loads(doc)
            check("warm-up", doc, n_docs, total)
            with zipfile.ZipFile(out) as z:
                remote = [i for i in z.infolist() if "/data/remote/" in "/" + i.filename and not i.is_dir()]
            if len(remote) != n_docs or sum(i.file_size for i in remote) != total:
                print(f"  ! warm-up archive holds {len(remote)} files under data/remote/ "
                      f"({sum(i.file_size for i in remote)} bytes), expected {n_docs} ({total})")

            results = {label: {"wall": [], "net": [], "rss": [], "max_host": [], "max_total": []} for label, *_ in cases}
            failures = 0
            for _ in range(runs):
                for label, cmd, count, size in cases:
                    if os.path.exists(out):
                        os.remove(out)
                    STATS.reset()
                    wall, rss, doc = run(cmd, env, capture=True)
                    doc = json.loads(doc)
                    failures += not check(label, doc, count, size)
                    r = results[label]
                    r["wall"].append(wall)
                    r["net"].append(doc["fetch"]["elapsed_ms"])
                    r["rss"].append(rss)
                    r["max_host"].append(STATS.max_host)
                    r["max_total"].append(STATS.max_total)
            print()
            med = {label: report(label, results[label]) for label, *_ in cases}
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()

    base_wall, base_net, _ = med[baseline_label]
    wall, net, _ = med[default_label]
    _, one_net, _ = med["default, one host"]
    speedup = base_net / net
    print()
    print(f"  one at a time / default, network = {speedup:5.2f}   (target >= 4.00: {'PASS' if speedup >= 4 else 'FAIL'})")
    print(f"  one at a time / default, wall    = {base_wall / wall:5.2f}")
    print(f"  one at a time / default on one host, network = {base_net / one_net:5.2f}   "
          f"(information: --fetch-per-host 4 caps one host near 4x)")
    peaks = [(f"{n} x {s // MB} MB", med[default_label if i == 0 else big[i - 1][0]][2])
             for i, (n, s) in enumerate(mem_cases)]
    low, high = min(p for _, p in peaks), max(p for _, p in peaks)
    grow = peaks[-1][1] / peaks[0][1]
    print(f"  peak RSS: {', '.join(f'{name} {p:.1f} MiB' for name, p in peaks)}; largest / smallest = {high / low:.2f}")
    print(f"  peak RSS {peaks[-1][0]} / {peaks[0][0]} = {grow:.2f}   "
          f"(target <= 1.50, memory does not grow with document size: {'PASS' if grow <= 1.5 else 'FAIL'})")
    if failures:
        print(f"  ! {failures} runs did not fetch every document (listed above): their times do not count")
        sys.exit(1)


if __name__ == "__main__":
    main()
