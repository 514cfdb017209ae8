"""``skfashion serve`` under load, and its page in Chromium.

::

    python benchmarks/bench_serve.py [--requests 500] [--clients 8]
        [--screenshot docs/_static/serve.png]

Starts ``skfashion serve`` on 127.0.0.1 (a process of its own, the shipped
models), then: 10 requests; ``--requests`` requests of 600x600 outfit photos
(Fashion-MNIST test items drawn by ``tests/photos.py``) from ``--clients``
concurrent clients, each answer compared with the reading of the same bytes
in this process (right: the same classes and boxes); more requests up to
1,000 in all; the server's resident memory after 10 and after 1,000. Last,
the page in Debian's Chromium (Playwright): a 600x600 outfit photo dropped on
it, timed from the drop to its boxes drawn, 5 times, and a screenshot.
Writes ``benchmarks/results/serve.json``.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import shutil
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))


def outfits(n: int) -> list[bytes]:
    """``n`` 600x600 JPEG outfit photos of test items."""
    from photos import outfit_photo

    from skfashion import load_fashion_mnist

    test = load_fashion_mnist(subset="test")
    rng = np.random.RandomState(0)
    pictures = []
    while len(pictures) < n:
        chosen = rng.choice(len(test.target), rng.randint(2, 5), replace=False)
        photo, _ = outfit_photo(
            test.images[chosen], test.target[chosen], random_state=rng
        )
        if min(photo.size) < 600:
            continue
        buffer = io.BytesIO()
        photo.crop((0, 0, 600, 600)).save(buffer, "JPEG", quality=90)
        pictures.append(buffer.getvalue())
    return pictures


def rss(pid: int) -> int:
    """Resident memory of ``pid``, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--screenshot", default=None)
    args = parser.parse_args(argv)
    import httpx2 as httpx

    import skfashion

    pictures = outfits(20)
    expected = []
    for data in pictures:
        buffer = io.BytesIO(data)
        buffer.name = "outfit.jpg"
        expected.append(skfashion.read_picture(buffer).to_json())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "skfashion", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    result = {"command": " ".join(sys.argv), "clients": args.clients}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.1)

        def ask(k: int):
            index = k % len(pictures)
            start = time.perf_counter()
            with httpx.Client(base_url=url, timeout=120) as http:
                response = http.post(
                    "/api/predict",
                    files={"files": ("outfit.jpg", pictures[index])},
                )
            seconds = time.perf_counter() - start
            ok = response.status_code == 200
            right = ok and response.json() == [expected[index]]
            return seconds, ok, right

        first = [ask(k) for k in range(10)]
        memory_10 = rss(server.pid)
        start = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            load = list(pool.map(ask, range(args.requests)))
        wall = time.perf_counter() - start
        memory_load = rss(server.pid)
        with ThreadPoolExecutor(args.clients) as pool:
            rest = list(pool.map(ask, range(1000 - 10 - args.requests)))
        memory_1000 = rss(server.pid)
        latencies = sorted(s for s, _, _ in load)
        result["load"] = {
            "requests": len(load),
            "errors": sum(not ok for _, ok, _ in load),
            "wrong": sum(ok and not right for _, ok, right in load),
            "p50_s": round(statistics.median(latencies), 3),
            "p95_s": round(latencies[int(0.95 * len(latencies)) - 1], 3),
            "max_s": round(latencies[-1], 3),
            "requests_per_second": round(len(load) / wall, 1),
        }
        everything = first + load + rest
        result["memory"] = {
            "requests": len(everything),
            "errors": sum(not ok for _, ok, _ in everything),
            "wrong": sum(ok and not right for _, ok, right in everything),
            "rss_after_10_mb": round(memory_10 / 1e6, 1),
            f"rss_after_{10 + args.requests}_mb": round(memory_load / 1e6, 1),
            "rss_after_1000_mb": round(memory_1000 / 1e6, 1),
            "ratio": round(memory_1000 / memory_10, 3),
        }
        print(json.dumps(result, indent=1), flush=True)
        result["page"] = page(url, pictures[0], args.screenshot)
        print(json.dumps(result["page"]), flush=True)
    finally:
        server.terminate()
        server.wait(30)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "serve.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS / 'serve.json'}")


def page(url: str, picture: bytes, screenshot: str | None) -> dict:
    """Drop ``picture`` on the page 5 times: seconds from drop to boxes."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox"]
        )
        tab = browser.new_page(viewport={"width": 1000, "height": 1000})
        tab.goto(url)
        tab.wait_for_selector("#model option[value='fast-anywhere']", state="attached")
        encoded = base64.b64encode(picture).decode()
        for k in range(5):
            start = time.perf_counter()
            tab.evaluate(
                """([b64, name]) => {
                    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                    const file = new File([bytes], name, { type: "image/jpeg" });
                    const transfer = new DataTransfer();
                    transfer.items.add(file);
                    document.getElementById("drop").dispatchEvent(new DragEvent(
                        "drop", { dataTransfer: transfer, bubbles: true }));
                }""",
                [encoded, f"outfit-{k}.jpg"],
            )
            tab.wait_for_selector(f"article[data-path='outfit-{k}.jpg'] .box")
            times.append(time.perf_counter() - start)
        if screenshot:
            tab.evaluate(
                "() => { const r = document.getElementById('results');"
                " while (r.children.length > 1) r.lastChild.remove(); }"
            )
            tab.screenshot(path=screenshot, full_page=True)
        browser.close()
    return {
        "drops": len(times),
        "best_s": round(min(times), 3),
        "median_s": round(statistics.median(times), 3),
    }


if __name__ == "__main__":
    main()
