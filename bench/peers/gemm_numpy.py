#!/usr/bin/python3
"""SGEMM peer for the `gemm` bench suite: numpy's matmul on OpenBLAS, driven line by line over stdin/stdout
so that the C# suite can alternate Recur and peer repetitions.

Run by bench/Recur.Bench/GemmSuite.cs as `/usr/bin/python3 bench/peers/gemm_numpy.py` with OPENBLAS_NUM_THREADS and
OMP_NUM_THREADS set (the pthread and the OpenMP flavour of OpenBLAS read one each). Installs python3-numpy and
libopenblas0-pthread with apt-get when numpy is missing, makes sure numpy really runs on OpenBLAS (Debian's reference
BLAS is ~30x slower) and exits with an error if it does not.

Protocol (one command per line; every answer is one line):
  case M K N TA TB   allocate float32 operands for C[M,N] = op(A)[M,K] @ op(B)[K,N]; TA/TB = 1 when the operand is
                     stored transposed (A as [K,M], B as [N,K]), passed as a transposed view (BLAS trans flag).
                     -> "ok"
  time ITERS         run the product ITERS times into a preallocated C -> "WALL CPU": elapsed seconds and the
                     CPU seconds this process used meanwhile (all its threads)
  quit
Before the first command it prints "# ..." lines describing the BLAS in use, then "ready".
"""
import os
import sys
import time

OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"


def ensure_numpy():
    try:
        import numpy  # noqa: F401
    except ImportError:  # apt-get update, then install; one clear line if that fails (common/torch_env.py)
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "common"))
        import torch_env  # only its stdlib helpers: it imports torch in setup(), never at import time
        torch_env.ensure_packages(["python3-numpy", "libopenblas0-pthread"])


def loaded_blas():
    """Shared libraries in this process that look like a BLAS, from /proc/self/maps."""
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path)
            if "blas" in name or "lapack" in name:
                libs.add(path)
    return sorted(libs)


def main():
    ensure_numpy()
    import numpy as np
    np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)  # makes sure the BLAS is loaded
    libs = loaded_blas()
    if not any("openblas" in lib for lib in libs):
        if os.environ.get("LD_LIBRARY_PATH", "").split(":")[0] != OPENBLAS_DIR and os.path.isdir(OPENBLAS_DIR):
            env = dict(os.environ, LD_LIBRARY_PATH=OPENBLAS_DIR + ":" + os.environ.get("LD_LIBRARY_PATH", ""))
            os.execve(sys.executable, [sys.executable] + sys.argv, env)
        print(f"error: numpy is not running on OpenBLAS (loaded: {libs or 'no BLAS'}); "
              f"apt-get install -y libopenblas0-pthread", file=sys.stderr)
        sys.exit(1)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "(unset)")
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            if info.get("internal_api") == "openblas":
                threads = info.get("num_threads")
                print(f"# peer: numpy {np.__version__}, OpenBLAS {info.get('version')} ({info.get('threading_layer')}, "
                      f"{info.get('architecture')}) at {info.get('filepath')}, {threads} thread(s)")
    except ImportError:
        print(f"# peer: numpy {np.__version__}, {', '.join(l for l in libs if 'openblas' in l)}, "
              f"OPENBLAS_NUM_THREADS={threads}")
    print("ready", flush=True)

    rng = np.random.default_rng(1)
    a = b = c = None
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "case":
            m, k, n, ta, tb = (int(x) for x in cmd[1:6])
            a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
            b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
            a = a.T if ta else a
            b = b.T if tb else b
            c = np.empty((m, n), np.float32)
            np.matmul(a, b, out=c)
            print("ok", flush=True)
        elif cmd[0] == "time":
            iters = int(cmd[1])
            start, cpu = time.perf_counter(), time.process_time()
            for _ in range(iters):
                np.matmul(a, b, out=c)
            print(f"{time.perf_counter() - start:.9f} {time.process_time() - cpu:.9f}", flush=True)
        elif cmd[0] == "quit":
            break
        else:
            print(f"error: unknown command {cmd[0]}", flush=True)


if __name__ == "__main__":
    main()
