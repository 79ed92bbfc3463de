"""Starts PyTorch the way the Recur benchmarks compare against it, and says which BLAS it really loaded.

Debian's python3-torch links the generic libblas.so.3, which by default is the reference BLAS (tens of times slower
than OpenBLAS). The peers therefore run on OpenBLAS's OpenMP flavour (libopenblas0-openmp), selected with
LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp: the pthread flavour starts its own thread pool, which
fights torch's OpenMP threads (1.2-3.8x slower at 2 threads here). Torch starts with 1 thread on this machine, so the
thread count is always set explicitly.

Under load (other processes on the cores), libgomp's default wait policy (spin, then sleep) can make torch's
2-thread parallel regions up to 78x slower than OMP_WAIT_POLICY=PASSIVE, while on a quiet machine spinning can be a
little faster; the drivers therefore use PASSIVE at more than one thread (see bench/Recur.Bench/Rnn/TorchPeer.cs).

Use: `setup(threads, wait_policy)` first thing in main (it may re-execute the script with the right environment), then
`describe(torch)` for the peer description the drivers print, and `serve(torch, build_case)` for the request loop.
"""
import json
import os
import subprocess
import sys
import time

OPENBLAS_OPENMP = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
PACKAGES = ["python3-torch", "libopenblas0-openmp"]


def _installed(package):
    try:
        return subprocess.run(["dpkg", "-s", package], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    except OSError:  # no dpkg: not Debian, apt-get will not help either
        return False


def ensure_packages(packages):
    """Installs the Debian packages among `packages` that are missing: `apt-get update` once (a fresh machine has no
    package lists, so a bare `apt-get install` fails with exit 100), then `apt-get install -y`, their output on stderr.
    When either fails it exits non-zero with one line saying what to install, instead of a traceback."""
    missing = [p for p in packages if not _installed(p)]
    if not missing:
        return
    command = f"apt-get update && apt-get install -y {' '.join(missing)}"
    print(f"# installing {' '.join(missing)}: {command}", file=sys.stderr, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")  # no debconf question may wait on the driver's stdin
    for args in (["apt-get", "update"], ["apt-get", "install", "-y"] + missing):
        try:
            result = f"exit {subprocess.run(args, stdout=sys.stderr, stderr=sys.stderr, env=env).returncode}"
        except OSError as e:
            result = str(e)
        if result != "exit 0":
            sys.exit(f"error: `{' '.join(args)}` failed ({result}); the peer needs {', '.join(missing)}: "
                     f"install them as root with `{command}`")


def setup(threads, wait_policy="default", extra_packages=()):
    """Makes sure torch runs on OpenMP OpenBLAS with `threads` threads and the OpenMP wait policy `wait_policy`
    ("default": libgomp's spin-then-sleep, or "passive"); returns the torch module. Missing packages (PACKAGES and
    `extra_packages`, e.g. python3-sklearn) are installed first, in one apt-get run (see ensure_packages).

    Re-executes the current script once when the environment is not yet right (LD_LIBRARY_PATH must be set before
    the dynamic loader resolves libblas.so.3, and OMP_NUM_THREADS before libgomp starts)."""
    want_env = {"OMP_NUM_THREADS": str(threads)}
    if wait_policy == "passive":
        want_env["OMP_WAIT_POLICY"] = "PASSIVE"
    elif wait_policy != "default":
        sys.exit(f"error: wait policy must be default or passive, got {wait_policy}")
    elif "OMP_WAIT_POLICY" in os.environ:
        sys.exit("error: OMP_WAIT_POLICY is set in the environment; pass the policy as an argument instead")
    ld = os.environ.get("LD_LIBRARY_PATH", "")
    if ld.split(":")[0] != OPENBLAS_OPENMP:
        want_env["LD_LIBRARY_PATH"] = OPENBLAS_OPENMP + (":" + ld if ld else "")
    if os.environ.get("RECUR_PEER_REEXEC") != "1":  # checked once, before any re-execution
        ensure_packages(PACKAGES + [p for p in extra_packages if p not in PACKAGES])
    if any(os.environ.get(k) != v for k, v in want_env.items()):
        if os.environ.get("RECUR_PEER_REEXEC") == "1":
            sys.exit(f"error: could not set up the peer environment {want_env}")
        env = dict(os.environ, RECUR_PEER_REEXEC="1", **want_env)
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    import torch
    torch.set_num_threads(threads)
    torch.ones(64, 64) @ torch.ones(64, 64)  # loads the BLAS
    libs = loaded_blas()
    if not any("openblas" in os.path.basename(lib) for lib in libs):
        sys.exit(f"error: torch is not running on OpenBLAS (loaded: {libs or 'no BLAS'}); the reference BLAS would "
                 f"make the comparison meaningless. apt-get install -y libopenblas0-openmp")
    if any("openblas-pthread" in lib for lib in libs):
        sys.exit(f"error: torch loaded the pthread OpenBLAS ({libs}); it fights torch's OpenMP threads")
    if torch.get_num_threads() != threads:
        sys.exit(f"error: torch.get_num_threads() = {torch.get_num_threads()}, wanted {threads}")
    return torch


def loaded_blas():
    """Paths of the BLAS / LAPACK libraries mapped into this process (from /proc/self/maps)."""
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and any(s in os.path.basename(fields[-1]) for s in ("blas", "lapack")):
                libs.add(fields[-1])
    return sorted(libs)


def describe(torch):
    """One line: torch version, threads, BLAS really loaded."""
    blas = [lib for lib in loaded_blas() if "openblas" in os.path.basename(lib)]
    return (f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), parallel backend "
            f"{'OpenMP' if 'OpenMP' in torch.__config__.parallel_info() else 'other'}, "
            f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'default')}, BLAS {', '.join(blas)}")


def peak_rss_mb():
    """VmHWM (peak resident set) of this process in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def serve(torch, build_case):
    """The drivers' request loop on stdin/stdout, one JSON object per line each way: announces readiness, then answers
    {"cmd": "case", ...} by `step, report = build_case(cmd)` (report: None or a function returning more answer fields),
    {"cmd": "run", "calls": N} with the N times of step() in seconds, and stops at {"cmd": "quit"}. Errors are answered
    as {"error": ...}, which the driver reports loudly."""
    print(json.dumps({"ready": True, "peer": describe(torch)}), flush=True)
    step, report = None, None
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            cmd = json.loads(line)
            if cmd["cmd"] == "case":
                step, report = build_case(cmd)
                answer = {"ok": True}
            elif cmd["cmd"] == "run":
                times = []
                for _ in range(cmd["calls"]):
                    start = time.perf_counter()
                    step()
                    times.append(time.perf_counter() - start)
                answer = {"times": times, **(report() if report else {})}
            elif cmd["cmd"] == "quit":
                break
            else:
                answer = {"error": f"unknown command {cmd['cmd']}"}
        except Exception as e:  # noqa: BLE001 - reported to the driver, which fails loudly
            answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)
