"""`python build.py serve`: a live preview on localhost while editing definitions and layers.

Standard library only: http.server serves the output folder on 127.0.0.1 (nothing else is
reachable), and a thread polls the inputs' sizes and modification times; on a change it runs
the ordinary incremental build (pipeline.build_site), so what is previewed is exactly what
`python build.py` publishes. A failed build publishes nothing, so the last good page stays.

Live reload touches only the bytes *served*: HTML responses get a small script before
</body> that polls /__atlas/version, reloads the page when a build published something new,
and shows a failed build's problems over the page. The files in the output folder are never
changed, so they stay byte-identical to a normal build.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from .errors import InvalidInput, terminal_safe
from .pipeline import ProjectPaths, build_site, input_files

HOST = "127.0.0.1"  # never another interface: the preview is for the author's own browser
VERSION_PATH = "/__atlas/version"
POLL_SECONDS = 0.3  # how often the inputs are checked; a stat per file, microseconds each
SETTLE_SECONDS = 0.15  # editors save in several writes: wait until the files stop changing

# Injected into served HTML only. textContent only: problem text comes from input files.
RELOAD_SCRIPT = """<script id="atlas-live-reload">
(function () {
  var seen = null, box = null;
  function show(error) {
    if (!error) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "atlas-build-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;z-index:100000;left:8px;right:8px;bottom:8px;max-height:45vh;overflow:auto;" +
        "margin:0;padding:10px 12px;background:#fff5f5;color:#8a1111;border:2px solid #c62828;border-radius:6px;" +
        "font:12px/1.45 ui-monospace,monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "The last build failed; this is the last good page.\\n\\n" + error;
  }
  function poll() {
    fetch("/__atlas/version", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (state) {
      if (seen === null) seen = state.version;
      else if (state.version !== seen) { location.reload(); return; }
      show(state.error);
      setTimeout(poll, 500);
    }, function () { setTimeout(poll, 2000); });
  }
  poll();
})();
</script>
"""

MISSING_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Not built yet</title></head>
<body><p>This page has not been built (yet). It appears here as soon as a build succeeds.</p>
</body></html>
"""


def with_reload_script(html: bytes) -> bytes:
    """The page with the reload script before its last </body> (at the end if it has none)."""
    script = RELOAD_SCRIPT.encode()
    at = html.rfind(b"</body>")
    return html[:at] + script + html[at:] if at >= 0 else html + script


@dataclass
class LiveState:
    """What the watcher publishes and the handlers read: a build counter and the last error."""

    version: int = 0
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict:
        with self.lock:
            return {"version": self.version, "error": self.error}


def input_signature(paths: ProjectPaths) -> tuple:
    """(path, size, mtime) of every input file: any save, new or deleted file changes it."""
    signature = []
    for path in input_files(paths):
        try:
            stat = path.stat()
        except OSError:
            continue
        signature.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(signature)


class LiveBuilder:
    """Runs the incremental build when the inputs change, recording the outcome in a LiveState."""

    def __init__(self, paths: ProjectPaths, out_dir: Path, only: list[str] | None, build_options: dict,
                 report: Callable[[str], None]):
        self.paths, self.out_dir, self.only, self.options = paths, out_dir, only, build_options
        self.report = report
        self.state = LiveState()
        self.signature = input_signature(paths)

    def build(self) -> None:
        """One incremental build; success bumps the version (pages reload), failure keeps the site."""
        started = time.perf_counter()
        advice: list = []
        try:
            built = build_site(self.paths, self.out_dir, self.only, **self.options, advice=advice)
        except InvalidInput as exc:
            error = f"{len(exc.problems)} problem(s) in the input; nothing was published:\n" + "\n".join(
                str(p) for p in exc.problems)
        except Exception as exc:  # the preview must survive anything a build can raise
            error = f"build failed: {exc.__class__.__name__}: {exc}"
        else:
            with self.state.lock:
                self.state.error = None
                if built:
                    self.state.version += 1
            for item in sorted(set(advice)):
                self.report(f"warning: {item}")
            names = ", ".join(m.spec.id for m in built) or "nothing changed"
            self.report(f"rebuilt: {names} ({time.perf_counter() - started:.2f} s)")
            return
        with self.state.lock:
            self.state.error = error
        self.report(error)

    def watch(self, stop: threading.Event) -> None:
        """Poll the inputs until `stop` is set; build after each change once the files settle."""
        while not stop.wait(POLL_SECONDS):
            current = input_signature(self.paths)
            if current == self.signature:
                continue
            while not stop.wait(SETTLE_SECONDS):
                settled = input_signature(self.paths)
                if settled == current:
                    break
                current = settled
            self.signature = current
            self.build()


class PreviewHandler(SimpleHTTPRequestHandler):
    """Static files from the output folder; HTML gets the reload script; never cached."""

    live: LiveState  # set per server by make_server

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        pass  # one line per request would bury the build messages

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _html_target(self) -> Path | None:
        """The HTML file a request asks for ('/' is the gallery), or None for anything else."""
        path = unquote(urlsplit(self.path).path)
        if path.endswith("/"):
            path += "index.html"
        if not path.endswith(".html"):
            return None
        return Path(self.translate_path(path))  # translate_path keeps the request inside the folder

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == VERSION_PATH:
            self._send(HTTPStatus.OK, json.dumps(self.live.snapshot()).encode(), "application/json")
            return
        if path == "/favicon.ico" and not Path(self.translate_path(path)).is_file():
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")  # no console error for the browser's own request
            return
        target = self._html_target()
        if target is None:
            super().do_GET()
            return
        try:
            page, status = target.read_bytes(), HTTPStatus.OK
        except OSError:
            page, status = MISSING_PAGE.encode(), HTTPStatus.NOT_FOUND
        self._send(status, with_reload_script(page), "text/html; charset=utf-8")

    do_HEAD = do_GET


def make_server(out_dir: Path, live: LiveState, port: int) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1:port (0: a free port) serving out_dir."""
    handler = type("Handler", (PreviewHandler,), {"live": live})
    server = ThreadingHTTPServer((HOST, port), partial(handler, directory=str(out_dir)))
    server.daemon_threads = True
    return server


@dataclass
class Preview:
    """A running preview: the server, the watcher and how to stop them."""

    builder: LiveBuilder
    server: ThreadingHTTPServer
    stop_event: threading.Event
    threads: list[threading.Thread]

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def stop(self) -> None:
        self.stop_event.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=10)


def start(paths: ProjectPaths, out_dir: Path, only: list[str] | None = None, port: int = 0,
          build_options: dict | None = None, report: Callable[[str], None] = print) -> Preview:
    """Serve, build once, then watch, in background threads; returns once the first build is done.

    The URL is reported before the first build, which can take a while: a page opened meanwhile
    says it is not built yet and reloads itself when it is. Raises OSError if the port is taken."""
    out_dir = Path(out_dir).absolute()
    builder = LiveBuilder(paths, out_dir, only, build_options or {}, report)
    server = make_server(out_dir, builder.state, port)
    stop_event = threading.Event()
    threads = [threading.Thread(target=server.serve_forever, name="preview-http", daemon=True),
               threading.Thread(target=builder.watch, args=(stop_event,), name="preview-watch", daemon=True)]
    preview = Preview(builder, server, stop_event, threads)
    threads[0].start()
    report(f"serving {out_dir} at {preview.url} (localhost only); edit maps/ or data/ and the page reloads. Ctrl+C stops.")
    builder.build()
    threads[1].start()
    return preview


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run(paths: ProjectPaths, out_dir: Path, only: list[str] | None, port: int, build_options: dict, console) -> int:
    """The `serve` command: runs until Ctrl+C. Returns the exit code."""
    def report(message: str) -> None:
        console.print(terminal_safe(message), markup=False, emoji=False, highlight=False, soft_wrap=True)

    if not 0 <= port <= 65535:
        report(f"--port: must be 0 (a free port) to 65535 (got {port})")
        return 2
    try:
        preview = start(paths, out_dir, only, port, build_options, report)
    except OSError as exc:
        report(f"serve: cannot listen on {HOST}:{port}: {exc.strerror or exc}")
        return 2
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl+C
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        report("stopped")
    finally:
        preview.stop()
    return 0
