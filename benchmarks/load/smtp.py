"""A mail server on loopback that keeps what Haven sends: enough SMTP for Django's backend (no TLS, no auth).

The load run points ``HAVEN_SMTP_HOST``/``HAVEN_SMTP_PORT`` here, so the email task runs for real, and the
portal users read their invitation links from the messages kept.
"""

from __future__ import annotations

import email
import email.policy
import re
import socketserver
import threading
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass(frozen=True)
class Mail:
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def text(self) -> str:
        """The plain text part (or the whole body when there is only one part)."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        content = (part or self.message).get_content()
        return content if isinstance(content, str) else ""


class _Session(socketserver.StreamRequestHandler):
    server: MailServer

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self._say("220 haven-load ESMTP")
        recipients: list[str] = []
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return
            command = raw.decode("utf-8", errors="replace").strip()
            verb = command[:4].upper()
            if verb in {"EHLO", "HELO"}:
                self._say("250 haven-load")
            elif verb == "MAIL":
                recipients = []
                self._say("250 OK")
            elif verb == "RCPT":
                found = re.search(r"<([^>]*)>", command)
                recipients.append(found.group(1) if found else command[8:].strip())
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                lines: list[bytes] = []
                while True:
                    line = self.rfile.readline(1 << 20)
                    if not line or line in {b".\r\n", b".\n"}:
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                self.server.keep(Mail(recipients=tuple(recipients), message=message))
                self._say("250 OK: kept")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            elif verb in {"RSET", "NOOP"}:
                recipients = [] if verb == "RSET" else recipients
                self._say("250 OK")
            else:
                self._say("502 Command not implemented")


class MailServer(socketserver.ThreadingTCPServer):
    """Listens on 127.0.0.1 (a free port unless given) in a background thread; ``mails`` holds what came."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Session)
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, name="smtp", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> MailServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def keep(self, mail: Mail) -> None:
        with self._lock:
            self.mails.append(mail)

    def received(self) -> list[Mail]:
        with self._lock:
            return list(self.mails)
