"""How fast this machine's CPUs run from one moment to the next: the same small piece of work,
timed every 10 ms, and the moments when it took more than twice its usual CPU time.

    .venv/bin/python bench/machine_speed.py [--seconds 10]

A virtual machine can run slower for a while without the guest seeing any steal or preemption:
something on the host slows every instruction (what, the guest cannot see). Each sample runs a
fixed piece of pure-Python work (about 0.2 ms) and reads the thread's own CPU clock around it, so
a sample that was descheduled is not counted as slow, and one that ran at a quarter of the speed
is, whatever else runs. The probe costs about 2 % of one core (0.2 ms in every 10 ms), so the
benchmarks run it beside what they measure (``Probe``, a thread): bench_webhook.py --ingest
splits its acknowledgements by it, and bench_throughput.py says how much of each round the
machine spent below half speed (CPU time charged while the CPU crawls inflates CPU-s per review).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SLOWER = 2.0  # a sample that took this many times the usual CPU time ran below half speed
EVERY = 0.01  # seconds between samples
ROUNDS = 10  # rounds of _work per sample: about 0.2 ms of CPU at full speed on the 2-core VM


@dataclass(frozen=True)
class Sample:
    at: float  # time.monotonic() when the work ended
    cpu: float  # the thread's CPU seconds it took


@dataclass(frozen=True)
class Summary:
    seconds: float
    slow_share: float  # of the time, in windows below half speed
    episodes: list[tuple[float, float]]  # (start, end) in time.monotonic()
    lowest: float  # the slowest sample's speed, 1.0 being the median
    period: float | None  # median seconds between the starts of episodes

    def line(self) -> str:
        every = f", one every {self.period:.2f} s" if self.period is not None else ""
        return (
            f"below half speed {100 * self.slow_share:.1f} % of {self.seconds:.0f} s "
            f"({len(self.episodes)} episodes{every}; slowest sample at {100 * self.lowest:.0f} % speed)"
        )


_DATA = list(range(4096))
_INDEX = [(i * 7919) % len(_DATA) for i in range(512)]


def _work(rounds: int) -> int:
    total = 0
    for _ in range(rounds):
        for i in _INDEX:
            total += _DATA[i]
    return total


def sample(seconds: float, stop: threading.Event | None = None) -> list[Sample]:
    """One timed piece of work every ``EVERY`` seconds for ``seconds`` (or until ``stop`` is set)."""
    samples = []
    end = time.monotonic() + seconds
    tick = time.monotonic()
    while tick < end and not (stop is not None and stop.is_set()):
        start = time.thread_time()
        _work(ROUNDS)
        cpu = time.thread_time() - start
        samples.append(Sample(time.monotonic(), cpu))
        tick += EVERY
        time.sleep(max(0.0, tick - time.monotonic()))
    return samples


class Probe:
    """``sample`` in a thread of this process while a benchmark's ``with`` block runs (the
    thread's own CPU clock: what the rest of the process does is not counted)."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="machine speed", daemon=True)

    def _run(self) -> None:
        self.samples = sample(float("inf"), stop=self._stop)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> Summary:
        return summarize(self.samples)


def summarize(samples: list[Sample]) -> Summary:
    """The windows where the work took over ``SLOWER`` times its median CPU time, merged when
    they are less than three samples apart (one episode, recovering)."""
    if not samples:
        return Summary(seconds=0.0, slow_share=0.0, episodes=[], lowest=1.0, period=None)
    usual = statistics.median(s.cpu for s in samples)
    episodes: list[tuple[float, float]] = []
    for s in samples:
        if s.cpu > SLOWER * usual:
            start = s.at - s.cpu - EVERY / 2
            end = s.at + EVERY / 2
            if episodes and start - episodes[-1][1] < 2 * EVERY:
                episodes[-1] = (episodes[-1][0], end)
            else:
                episodes.append((start, end))
    seconds = samples[-1].at - samples[0].at + EVERY
    starts = [a for a, _ in episodes]
    gaps = [b - a for a, b in itertools.pairwise(starts) if b - a > 0.5]  # second pulses aside
    return Summary(
        seconds=seconds,
        slow_share=sum(b - a for a, b in episodes) / seconds,
        episodes=episodes,
        lowest=usual / max(s.cpu for s in samples),
        period=statistics.median(gaps) if gaps else None,
    )


def write(samples: list[Sample], path: Path) -> None:
    path.write_text("".join(f"{s.at:.6f} {s.cpu:.9f}\n" for s in samples))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, help="write the samples here (monotonic time, CPU seconds)")
    args = parser.parse_args()
    samples = sample(args.seconds)
    if args.out:
        write(samples, args.out)
    print(f"machine: {summarize(samples).line()}", flush=True)


if __name__ == "__main__":
    main()
