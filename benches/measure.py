"""What the benchmark scripts share: running one command and measuring it."""
import os
import shlex
import subprocess
import sys
import tempfile
import time


def run(cmd, env=None, cwd=None, capture=False):
    """Runs cmd; returns (seconds, peak RSS in MiB from wait4, its stdout when `capture`, else
    ""). Exits with the end of its stderr when it fails: a benchmark of a failing command
    measures nothing."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out if capture else subprocess.DEVNULL, stderr=err,
                                env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        if code != 0:
            err.seek(0)
            sys.stderr.write(err.read().decode(errors="replace")[-4000:])
            sys.exit(f"failed ({code}): {shlex.join(cmd)}")
        text = ""
        if capture:
            out.seek(0)
            text = out.read().decode(errors="replace")
        return elapsed, usage.ru_maxrss / 1024, text
