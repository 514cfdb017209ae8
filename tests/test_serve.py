"""skfashion serve: the HTTP API, and the page in a real headless Chromium."""

import base64
import io
import json
import shutil
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("multipart")
from starlette.testclient import TestClient

import skfashion
from skfashion.serve import create_app
from skfashion.zoo import example_picture

PICTURES = {name: example_picture(name).read_bytes() for name in ("product", "outfit")}
PICTURES["grid"] = example_picture("grid").read_bytes()


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


def _files(*names, extra=()):
    return [("files", (f"{n}.jpg", PICTURES[n])) for n in names] + list(extra)


def test_the_api_answers_as_the_command_line(client):
    response = client.post("/api/predict", files=_files("outfit"))
    assert response.status_code == 200
    (reading,) = response.json()
    buffer = io.BytesIO(PICTURES["outfit"])
    buffer.name = "outfit.jpg"
    assert reading == skfashion.read_picture(buffer).to_json()
    assert reading["read_as"] == "items anywhere" and len(reading["items"]) == 4
    assert all(len(item["box"]) == 4 for item in reading["items"])


def test_many_pictures_and_a_bad_one_in_one_request(client):
    bad = ("files", ("notes.txt", b"not a picture at all"))
    response = client.post(
        "/api/predict",
        files=_files("product", "outfit", "grid", extra=[bad]),
        data={"model": "default"},
    )
    assert response.status_code == 200
    readings = response.json()
    assert [r["path"] for r in readings] == [
        "product.jpg",
        "outfit.jpg",
        "grid.jpg",
        "notes.txt",
    ]
    assert [r["read_as"] for r in readings[:3]] == ["item", "items anywhere", "canvas"]
    assert readings[0]["items"][0]["class"] == "Trouser"
    assert "not a picture" in readings[3]["error"] and readings[3]["read_as"] is None
    # a shipped model by name
    response = client.post(
        "/api/predict", files=_files("product"), data={"model": "fast"}
    )
    assert response.json()[0]["items"][0]["class"] == "Trouser"


def _bomb() -> bytes:
    """A 9000x9000 PNG of one colour: 60 kB, 81 million pixels."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")
    return buffer.getvalue()


def test_limits_are_clear_json_errors(client):
    def post(files, app=client, **data):
        response = app.post("/api/predict", files=files, data=data)
        return response.status_code, response.json()

    status, body = post([("files", ("x.txt", b"hello"))])
    assert status == 415 and "not a picture" in body[0]["error"]
    status, body = post([("files", ("bomb.png", _bomb()))])
    assert status == 413 and "too large" in body[0]["error"]
    status, body = post(_files("product"), model="nope")
    assert status == 422 and "no model is named 'nope'" in body["error"]
    status, body = post([], note="no file")
    assert status == 422 and "no picture" in body["error"]
    small = TestClient(create_app(max_file_bytes=5_000, max_files=2))
    status, body = post(_files("product"), app=small)  # 6,064 bytes
    assert status == 413 and "over 5,000 bytes" in body[0]["error"]
    status, body = post(_files("outfit"), app=small)  # the request itself
    assert status == 413 and "limit" in body["error"]
    status, body = post(_files("grid", "grid", "grid"), app=small)
    assert status == 413 and "more than 2" in body["error"]


def test_models_health_and_the_page(client):
    models = client.get("/api/models").json()
    names = [m["name"] for m in models]
    assert names[0] == "default" and set(skfashion.pretrained()) <= set(names)
    card = next(m for m in models if m["name"] == "fast-anywhere")["card"]
    assert card["kind"] == "anywhere"
    assert client.get("/healthz").json() == {"status": "ok"}
    page = client.get("/")
    assert (
        page.status_code == 200
        and "default-src 'self'" in page.headers["content-security-policy"]
    )
    assert "/static/app.js" in page.text and "http" not in page.text.split("<body>")[1]
    assert client.get("/static/app.js").status_code == 200


def test_a_model_file_given_at_start_is_offered(tmp_path):
    from skfashion import export, load_exported

    path = export(skfashion.pretrained("fast"), tmp_path / "mine.onnx")
    app = TestClient(create_app(load_exported(path), model_name="mine.onnx"))
    names = [m["name"] for m in app.get("/api/models").json()]
    assert "file" in names
    response = app.post("/api/predict", files=_files("product"), data={"model": "file"})
    assert response.json()[0]["items"][0]["class"] == "Trouser"


# -- a live server on loopback, and a real browser ---------------------------------


@pytest.fixture(scope="module")
def server():
    uvicorn = pytest.importorskip("uvicorn")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=port, log_level="error"
    )
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not live.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live.started
    yield f"http://127.0.0.1:{port}"
    live.should_exit = True
    thread.join(10)


def test_concurrent_clients_get_every_answer_right(server):
    import httpx2 as httpx

    expected = [
        i["class"]
        for i in skfashion.read_picture(io.BytesIO(PICTURES["outfit"])).to_json()[
            "items"
        ]
    ]

    def ask(_):
        with httpx.Client(base_url=server, timeout=60) as http:
            response = http.post("/api/predict", files=_files("outfit", "product"))
            return response.status_code, response.json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(16)))
    for status, (outfit, product) in answers:
        assert status == 200
        assert [i["class"] for i in outfit["items"]] == expected
        assert product["items"][0]["class"] == "Trouser"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def page(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (make test installs Debian's chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.requested = []
        page.on("request", lambda request: page.requested.append(request.url))
        page.goto(server)
        page.wait_for_selector("#model option[value='fast-anywhere']", state="attached")
        yield page
        browser.close()


def _read(page, count: int) -> None:
    """Wait for the page to have read ``count`` pictures in all (the page's
    content security policy refuses Playwright's evaluated waits)."""
    page.wait_for_selector(f"body[data-read='{count}']", state="attached")


def test_the_page_boxes_and_names_picked_pictures(page, server, tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff not really a JPEG")
    before = int(page.evaluate("Number(document.body.dataset.read || 0)"))
    page.set_input_files(
        "#files",
        [str(example_picture("outfit")), str(example_picture("product")), str(bad)],
    )
    _read(page, before + 3)
    outfit = page.locator("article.reading[data-path='outfit.jpg']")
    drawn = sorted(
        outfit.locator(".box").evaluate_all("boxes => boxes.map(b => b.dataset.class)")
    )
    api = skfashion.read_picture(example_picture("outfit")).to_json()["items"]
    assert drawn == sorted(i["class"] for i in api) and len(drawn) == 4
    assert outfit.locator("tr.item").count() == 4
    assert "read as items anywhere" in outfit.locator(".how").inner_text()
    # a box stands where the API put it: its left edge, in the picture's width
    first = outfit.locator(".box").first
    left = float(first.evaluate("b => parseFloat(b.style.left)"))
    assert 0 <= left < 100
    product = page.locator("article.reading[data-path='product.jpg']")
    assert product.locator("tr.item").first.get_attribute("data-class") == "Trouser"
    error = page.locator("article.reading.error[data-path='broken.jpg']")
    assert "damaged" in error.inner_text() or "not a picture" in error.inner_text()
    shot = tmp_path / "page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    # nothing came from outside: every request went to the server itself
    outside = [
        u for u in page.requested if not u.startswith((server, "blob:", "data:"))
    ]
    assert outside == []


def test_the_page_reads_a_dropped_picture(page):
    before = int(page.evaluate("Number(document.body.dataset.read || 0)"))
    picture = base64.b64encode(PICTURES["grid"]).decode()
    page.evaluate(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const file = new File([bytes], "dropped.png", { type: "image/png" });
            const transfer = new DataTransfer();
            transfer.items.add(file);
            const drop = document.getElementById("drop");
            drop.dispatchEvent(new DragEvent("drop", {
                dataTransfer: transfer, bubbles: true, cancelable: true }));
        }""",
        picture,
    )
    _read(page, before + 1)
    card = page.locator("article.reading[data-path='dropped.png']")
    cells = card.locator("tr.item").evaluate_all(
        "rows => rows.map(r => r.dataset.class)"
    )
    assert sorted(cells) == ["Ankle boot", "Pullover", "Trouser"]
    link = card.locator("a.json")
    assert link.get_attribute("download") == "dropped.png.json"
    with page.expect_download() as download:  # the user's click
        link.click()
    data = json.loads(download.value.path().read_text())
    assert data["read_as"] == "canvas" and np.isfinite(data["items"][0]["score"])


def test_skfashion_serve_starts_on_loopback(tmp_path):
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [sys.executable, "-m", "skfashion", "serve", "--port", str(port)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline, answer = time.monotonic() + 30, None
        while answer is None and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as r:
                    answer = json.loads(r.read())
            except OSError:
                time.sleep(0.1)
        assert answer == {"status": "ok"}
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out.decode()


def test_the_page_reads_a_pasted_picture(page):
    before = int(page.evaluate("Number(document.body.dataset.read || 0)"))
    picture = base64.b64encode(PICTURES["product"]).decode()
    page.evaluate(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "pasted.jpg", { type: "image/jpeg" }));
            document.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: transfer, bubbles: true }));
        }""",
        picture,
    )
    _read(page, before + 1)
    card = page.locator("article.reading[data-path='pasted.jpg']")
    assert card.locator("tr.item").first.get_attribute("data-class") == "Trouser"
