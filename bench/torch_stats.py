"""The PyTorch benchmarks' timing, bench/stats.ts's `timed` on the Python side."""
import time


def timed(fn, min_time):
    """Seconds per call of fn: after one warm-up call, calls are doubled until one batch lasts min_time seconds."""
    fn()
    calls = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        t = time.perf_counter() - t0
        if t >= min_time:
            return t / calls
        calls *= 2
