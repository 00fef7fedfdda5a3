"""HTTP load on `POST /api/estimate` (target: p99 under 50 ms with 32 clients).

Starts uvicorn serving ``dlcost.web.app:create_app`` in a subprocess (one worker,
log level warning) on 127.0.0.1 and a free port, waits until it answers, then
runs ``--clients`` concurrent keep-alive connections for ``--seconds``, each
sending the Figure 2 scenario of seed 000 again and again. Prints requests/s,
latency percentiles, errors and the CPU time the server and the load generator
used, then a Markdown table row.

The default client writes HTTP/1.1 by hand on asyncio streams, so the generator
takes little of the CPU the server needs (``--client httpx`` compares with
httpx.AsyncClient). Traffic goes to 127.0.0.1 only; the run stops by itself.

    python benchmarks/bench_http.py [--clients 32] [--seconds 20] [--port 0] [--client raw|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

HOST = "127.0.0.1"  # the only address this script connects to
PATH = "/api/estimate"
# Figure 2 of seed 000 (Thompson et al., AAAI 2024).
FIGURE_2 = {
    "target_accuracy": "96.5%",
    "data_max": 200000,
    "cost_per_datapoint": 0.63,
    "class_counts": {"Positive": 50000, "Negative": 1000},
    "cost_mode": "paper",
}
#: The same scenario in the default (auto) cost mode: answered by dlcost-2026, each candidate its own need.
DEFAULT_MODE = {key: value for key, value in FIGURE_2.items() if key != "cost_mode"}
BODY = dict(FIGURE_2)  # what every request sends (--scenario)
REQUEST_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc (Linux). [s]"""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def server(port: int):
    """uvicorn serving create_app() on HOST:port, one worker, until the block ends."""
    command = [
        sys.executable, "-m", "uvicorn", "dlcost.web.app:create_app", "--factory",
        "--host", HOST, "--port", str(port), "--workers", "1", "--log-level", "warning", "--no-access-log",
    ]
    process = subprocess.Popen(command)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def request_bytes(port: int) -> bytes:
    body = json.dumps(BODY).encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Status code and whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get("connection", "").lower() != "close"


async def raw_client(port: int, deadline: float, latencies: list[float], errors: list[str]) -> None:
    payload = request_bytes(port)
    reader = writer = None
    while time.perf_counter() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), REQUEST_TIMEOUT_S)
            start = time.perf_counter()
            writer.write(payload)
            status, keep_alive = await asyncio.wait_for(read_response(reader), REQUEST_TIMEOUT_S)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                errors.append(f"HTTP {status}")
            if not keep_alive:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ValueError) as error:
            errors.append(type(error).__name__)
            if writer is not None:
                writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def httpx_client(port: int, deadline: float, latencies: list[float], errors: list[str]) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=REQUEST_TIMEOUT_S, trust_env=False) as client:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                response = await client.post(PATH, json=BODY)
            except httpx.HTTPError as error:
                errors.append(type(error).__name__)
                continue
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                errors.append(f"HTTP {response.status_code}")


async def wait_until_ready(port: int, process: subprocess.Popen, timeout_s: float = 60.0) -> None:
    """Until the server answers the benchmark's request with 200 (a few warm-up requests)."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before answering")
        try:
            latencies: list[float] = []
            errors: list[str] = []
            await raw_client(port, time.perf_counter() + 0.5, latencies, errors)
            if latencies and not errors:
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout_s:g} s")


async def load(port: int, clients: int, seconds: float, kind: str) -> tuple[list[float], list[str], float]:
    worker = raw_client if kind == "raw" else httpx_client
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    deadline = start + seconds
    tasks = [asyncio.create_task(worker(port, deadline, latencies, errors)) for _ in range(clients)]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 2 * REQUEST_TIMEOUT_S)
    return latencies, errors, time.perf_counter() - start


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values."""
    index = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive connections")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of the load")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw", help="load generator")
    parser.add_argument("--scenario", choices=["figure2-paper", "figure2-default"], default="figure2-paper",
                        help="figure2-paper: paper mode (paper-2024); figure2-default: auto mode (dlcost-2026)")
    args = parser.parse_args()
    BODY.clear()
    BODY.update(FIGURE_2 if args.scenario == "figure2-paper" else DEFAULT_MODE)
    if args.clients < 1 or not 0 < args.seconds <= 600:
        parser.error("--clients must be >= 1 and --seconds in (0, 600]")
    port = args.port or free_port()
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure

    with server(port) as process:
        asyncio.run(wait_until_ready(port, process))
        server_cpu, own_cpu = cpu_seconds(process.pid), own_cpu_seconds()
        latencies, errors, wall = asyncio.run(load(port, args.clients, args.seconds, args.client))
        server_cpu, own_cpu = cpu_seconds(process.pid) - server_cpu, own_cpu_seconds() - own_cpu

    latencies_ms = sorted(1000 * value for value in latencies)
    if not latencies_ms:
        raise SystemExit(f"no request completed; errors: {errors[:5]}")
    rate = len(latencies_ms) / wall
    p50, p90, p99 = (percentile(latencies_ms, f) for f in (0.50, 0.90, 0.99))
    worst = latencies_ms[-1]
    kinds = {kind: errors.count(kind) for kind in sorted(set(errors))}
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, uvicorn 1 worker, client {args.client}, "
          f"{args.clients} clients x {wall:.1f} s on {HOST}:{port} -> POST {PATH} ({args.scenario})")
    print(f"requests      {len(latencies_ms):,} ({rate:,.0f}/s)")
    print(f"latency ms    p50 {p50:.1f}  p90 {p90:.1f}  p99 {p99:.1f}  max {worst:.1f}")
    print(f"errors        {len(errors)}" + (f" {kinds}" if kinds else ""))
    print(f"CPU s         server {server_cpu:.1f} ({server_cpu / wall:.0%} of a core), "
          f"load generator {own_cpu:.1f} ({own_cpu / wall:.0%})")
    print(f"load average  {load_before:.2f} before the run (1 min; above ~0.5 the figures are not clean)")
    print(f"p99 target    < 50 ms: {'met' if p99 < 50 else 'missed'}")
    print()
    print("| client | clients | s | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | server CPU s | generator CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.client} | {args.clients} | {wall:.0f} | {rate:,.0f} | {p50:.1f} | {p90:.1f} | {p99:.1f} | {worst:.1f} "
          f"| {len(errors)} | {server_cpu:.1f} | {own_cpu:.1f} |")


if __name__ == "__main__":
    main()
