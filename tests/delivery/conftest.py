"""Real servers for delivery tests, started once per module, and published folders built by hand.

- ``smtp_server``: aiosmtpd on 127.0.0.1 with a self-signed certificate made by the openssl CLI,
  STARTTLS required, AUTH required (one user, one password), every message recorded.
- ``hook_server``: http.server in a thread recording each request; the path chooses the answer
  (``/ok...`` success, ``/errcode...`` a refusal with errcode/code != 0, ``/http500...`` HTTP 500).
Folders to deliver are built by ``delivery_helpers.make_report``.
"""

from __future__ import annotations

import json
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from delivery_helpers import SMTP_PASSWORD, SMTP_USER, free_port


# ----------------------------------------------------------------------------------------- SMTP

@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory):
    """(certificate, key) PEM files of a self-signed certificate for 127.0.0.1 (EC: fast to make)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class SmtpServer:
    port: int
    cert: Path
    messages: list[Received] = field(default_factory=list)
    auth_sessions: dict[int, bool] = field(default_factory=dict)  # one entry per connection that tried AUTH

    def reset(self) -> None:
        self.messages.clear()
        self.auth_sessions.clear()


@pytest.fixture(scope="module")
def smtp_server(tls_cert):
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = tls_cert
    server = SmtpServer(port=free_port(), cert=cert)

    class Handler:
        async def handle_DATA(self, srv, session, envelope):
            server.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            return "250 Message accepted"

    def authenticator(srv, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode()
              and auth_data.password == SMTP_PASSWORD.encode())
        server.auth_sessions[id(session)] = server.auth_sessions.get(id(session), False) or ok
        return AuthResult(success=ok, handled=False)  # False + not handled: the server answers 535

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(Handler(), hostname="127.0.0.1", port=server.port, tls_context=context,
                            require_starttls=True, auth_required=True, authenticator=authenticator,
                            decode_data=False)
    controller.start()
    yield server
    controller.stop()


# ----------------------------------------------------------------------------------------- HTTP

@dataclass
class HookRequest:
    path: str
    query: dict[str, list[str]]
    body: dict
    content_type: str


class HookServer:
    def __init__(self):
        self.requests: list[HookRequest] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.requests.append(HookRequest(parts.path, parse_qs(parts.query), json.loads(raw),
                                                     self.headers.get("Content-Type", "")))
                feishu = "feishu" in parts.path
                if parts.path.startswith("/http500"):
                    status, answer = 500, {"error": "internal"}
                elif parts.path.startswith("/errcode"):
                    status, answer = 200, ({"code": 19021, "msg": "sign match fail"} if feishu
                                           else {"errcode": 310000, "errmsg": "sign not match"})
                else:
                    status, answer = 200, ({"code": 0, "msg": "success", "data": {}} if feishu
                                           else {"errcode": 0, "errmsg": "ok"})
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def reset(self) -> None:
        self.requests.clear()


@pytest.fixture(scope="module")
def hook_server():
    server = HookServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture(autouse=True)
def _fresh_servers(request):
    """Each test sees only its own messages and requests."""
    for name in ("smtp_server", "hook_server"):
        if name in request.fixturenames:
            request.getfixturevalue(name).reset()
