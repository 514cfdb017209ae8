"""``skfashion serve``: a page to drop pictures on, and the HTTP API it uses.

:func:`create_app` makes a Starlette application (``pip install
'skfashion[serve]'``); ``skfashion serve`` runs it with uvicorn on
127.0.0.1 unless ``--host`` says otherwise. Routes:

``GET /``
    The page: drop, pick or paste pictures; each is shown with its items
    boxed and named, how it was read, a table of the items and its JSON to
    download. Every asset is served from the package (no CDN: it works
    offline), under a content security policy that allows nothing else.
``POST /api/predict``
    Multipart, one or many ``files`` (and ``model``: ``"default"``, a shipped
    model's name, or ``"file"`` for the model given at start). Returns a JSON
    list of the objects ``skfashion predict --json`` prints, one per file
    (:meth:`~skfashion.results.PictureReading.to_json`), a picture that cannot
    be read given its ``error``. The status is 200 when any picture was read,
    else the first failure's: 413 (a file over ``max_file_bytes``, too many
    pixels, too many files), 415 (not a picture), 422 (no file, an unknown
    model).
``GET /api/models``
    The models to choose from, with the shipped ones' cards.
``GET /healthz``
    ``{"status": "ok"}``.

Models are loaded once and shared by every request: the shipped ones as their
ONNX twins (onnxruntime runs one model from many threads), a model file given
at start behind a lock (Keras models are not known to be safe to call from
several threads). Uploads are read into memory, never written to a named
file: what the multipart parser spools to disk for a large part is an
anonymous temporary file, closed when the request ends.
"""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

__all__ = ["MAX_FILES", "MAX_FILE_BYTES", "STATIC", "create_app", "serve"]

#: The page's files.
STATIC = Path(__file__).with_name("static")
#: Most bytes of one uploaded file.
MAX_FILE_BYTES = 20_000_000
#: Most files in one request.
MAX_FILES = 20

_CSP = (
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


class _Models:
    """The models a request may choose, each loaded once."""

    def __init__(self, model=None, model_name: str | None = None):
        self.file_model = model
        self.file_name = model_name
        self._lock = threading.Lock()  # for a Keras model of the user's

    def choices(self) -> list[dict]:
        from .zoo import model_card, pretrained

        choices = [
            {
                "name": "default",
                "kind": "the shipped models, each where it reads best",
                "intended_use": "one item, a grid or items anywhere",
            }
        ]
        if self.file_model is not None:
            choices.append(
                {
                    "name": "file",
                    "kind": "given at start",
                    "intended_use": self.file_name,
                }
            )
        for name in pretrained():
            card = model_card(name)
            choices.append(
                {
                    "name": name,
                    "kind": card["kind"],
                    "intended_use": card["intended_use"],
                    "card": card,
                }
            )
        return choices

    def read(self, picture, choice: str):
        """``read_picture`` with the model ``choice``."""
        from .reading import read_picture
        from .zoo import pretrained

        if choice == "file" and self.file_model is not None:
            with self._lock:
                return read_picture(picture, self.file_model)
        if choice in ("", "default"):
            return read_picture(picture)
        if choice in pretrained():
            return read_picture(picture, choice)  # its ONNX twin, shared
        raise LookupError(f"no model is named {choice!r}: see GET /api/models")


def _status(exc: Exception) -> int:
    from .images import NotAPictureError, PictureTooLargeError

    if isinstance(exc, PictureTooLargeError):
        return 413
    if isinstance(exc, NotAPictureError):
        return 415
    return 422


def create_app(
    model=None,
    *,
    model_name: str | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_files: int = MAX_FILES,
):
    """The Starlette application of ``skfashion serve``.

    Parameters
    ----------
    model : fitted model, ExportedModel or None
        A model offered as ``"file"`` besides the shipped ones.
    model_name : str, default=None
        What the page calls it (the file's name).
    max_file_bytes : int, default=MAX_FILE_BYTES
        Most bytes of one uploaded file (413 beyond).
    max_files : int, default=MAX_FILES
        Most files in one request (413 beyond).

    Returns
    -------
    app : starlette.applications.Starlette

    Examples
    --------
    >>> from starlette.testclient import TestClient
    >>> from skfashion.serve import create_app
    >>> from skfashion.zoo import example_picture
    >>> client = TestClient(create_app())
    >>> picture = example_picture("product").read_bytes()
    >>> response = client.post("/api/predict", files={"files": ("p.jpg", picture)})
    >>> response.status_code, response.json()[0]["items"][0]["class"]
    (200, 'Trouser')
    """
    import anyio
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.responses import FileResponse, JSONResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from .reading import error_reason
    from .results import PictureReading

    models = _Models(model, model_name)
    # as many pictures read at once as there are cores: more only queue for
    # them, each with its own buffers (memory grows with the threads)
    readers = anyio.CapacityLimiter(os.cpu_count() or 2)
    headers = {"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff"}

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    async def page(request):
        return FileResponse(STATIC / "index.html", headers=headers)

    async def healthz(request):
        return JSONResponse({"status": "ok"})

    async def list_models(request):
        return JSONResponse(await run_in_threadpool(models.choices))

    def read_one(data: bytes, name: str, choice: str):
        buffer = io.BytesIO(data)
        buffer.name = name
        try:
            return models.read(buffer, choice).to_json(), 200
        except LookupError:
            raise
        except Exception as exc:  # one picture never stops the others
            reading = PictureReading(name, None, error=error_reason(exc)).to_json()
            return reading, _status(exc)

    async def predict(request):
        declared = int(request.headers.get("content-length") or 0)
        if declared > max_files * (max_file_bytes + 4096):
            return error(413, f"the request is over {max_files} files' limit")
        try:
            form = await request.form(max_files=max_files + 1, max_fields=10)
        except Exception as exc:  # the parser's limits and malformed bodies
            return error(413 if "Too many" in str(exc) else 400, str(exc))
        try:
            uploads = form.getlist("files")
            choice = str(form.get("model") or "default")
            if not uploads:
                return error(422, "no picture: send one or more parts named 'files'")
            if len(uploads) > max_files:
                return error(413, f"{len(uploads)} files, more than {max_files}")
            results = []
            for upload in uploads:
                if isinstance(upload, str):
                    return error(422, "'files' must be files, not text fields")
                data = await upload.read(max_file_bytes + 1)
                name = Path(upload.filename or "the picture").name
                if len(data) > max_file_bytes:
                    message = f"{name} is over {max_file_bytes:,} bytes"
                    results.append(
                        (PictureReading(name, None, error=message).to_json(), 413)
                    )
                    continue
                try:
                    result = await anyio.to_thread.run_sync(
                        read_one, data, name, choice, limiter=readers
                    )
                except LookupError as exc:
                    return error(422, str(exc))
                results.append(result)
        finally:
            await form.close()
        read = [status for _, status in results if status == 200]
        status = 200 if read else results[0][1]
        return JSONResponse([reading for reading, _ in results], status_code=status)

    routes = [
        Route("/", page),
        Route("/healthz", healthz),
        Route("/api/models", list_models),
        Route("/api/predict", predict, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(_Headers, headers=headers)])


class _Headers:
    """ASGI middleware: ``headers`` on every response that has none of them."""

    def __init__(self, app, headers: dict):
        self.app, self.headers = app, headers

    async def __call__(self, scope, receive, send):
        from starlette.datastructures import MutableHeaders

        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = MutableHeaders(scope=message)
                for key, value in self.headers.items():
                    present.setdefault(key, value)
            await send(message)

        return await self.app(scope, receive, send_with_headers)


def serve(app, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run ``app`` with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning")
