"""gunicorn's access log, as every start-up command configures it, never writes a query string or Referer."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NUMBER = "630102200304151236"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_start_up_command_uses_the_config_file():
    for path in ("dev.py", "Dockerfile", "docker-compose.yml"):
        text = (ROOT / path).read_text()
        assert "gunicorn.conf.py" in text and "--access-logfile" not in text, path


def test_the_access_log_leaves_the_query_string_and_referer_out(tmp_path):
    port = free_port()
    env = {**os.environ, "SECRET_KEY": "test", "HTTPS": "0", "DJANGO_SETTINGS_MODULE": "config.settings"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request(
                    "GET", f"/graduates/?q={NUMBER}", headers={"Referer": f"http://x/graduates/?q={NUMBER}"}
                )
                assert connection.getresponse().status == 302  # to the login page
                connection.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    lines = [line for line in output.splitlines() if "/graduates/" in line]
    assert lines, output
    assert re.search(r'"GET /graduates/ HTTP/1\.[01]" 302', lines[0]), lines[0]
    assert NUMBER not in output and "q=" not in output
