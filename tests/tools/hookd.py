#!/usr/bin/python3
"""Local webhook receiver for fragwatch's delivery tests (loopback only).

    /usr/bin/python3 tests/tools/hookd.py --spool DIR --port-file FILE

Listens on an ephemeral port of 127.0.0.1, writes the port number to FILE
(atomically) once listening, and serves until SIGTERM or SIGINT (exit 0).

Routes (POST only; NAME is [A-Za-z0-9_-]+):
  POST /hook/NAME            200 "ok"; the body is saved as DIR/NAME.N.json
                             and the request's headers as DIR/NAME.N.headers
                             (a JSON object), N counting from 1
  POST /auth/NAME?bearer=T   401 unless "Authorization: Bearer T", then
                             as /hook/NAME
  POST /status/NNN           status NNN; the body is "NNN Phrase\\n", or
                             ?body=TEXT repeated ?repeat=N times (default 1)
  POST /slow?delay=S         waits S seconds, then 200 "late"
  anything else              404
"""

import argparse
import json
import os
import re
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError,
               socket.timeout)
NAME = re.compile(r"^[A-Za-z0-9_-]+$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fragwatch-test-hookd"
    timeout = 60

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.reply(405, b"405 Method Not Allowed\n")

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        parts = url.path.split("/")[1:]
        try:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length) if length > 0 else b""
            if len(parts) == 2 and parts[0] == "hook" and NAME.match(parts[1]):
                self.save(parts[1], body)
                self.reply(200, b"ok")
            elif len(parts) == 2 and parts[0] == "auth" and NAME.match(parts[1]):
                want = "Bearer " + query.get("bearer", [""])[0]
                if self.headers.get("Authorization") != want:
                    return self.reply(401, b"401 Unauthorized\n")
                self.save(parts[1], body)
                self.reply(200, b"ok")
            elif (len(parts) == 2 and parts[0] == "status" and
                  re.match(r"^[1-5][0-9][0-9]$", parts[1])):
                code = int(parts[1])
                if "body" in query:
                    text = query["body"][0].encode() * int(
                        query.get("repeat", ["1"])[0])
                else:
                    phrase = self.responses.get(code, ("Status",))[0]
                    text = f"{code} {phrase}\n".encode()
                self.reply(code, text)
            elif parts == ["slow"]:
                time.sleep(float(query.get("delay", ["5"])[0]))
                self.reply(200, b"late")
            else:
                self.reply(404, b"404 Not Found\n")
        except DISCONNECTS:
            self.close_connection = True
        except ValueError:
            self.reply(400, b"400 Bad Request\n")

    def save(self, name, body):
        with self.server.lock:
            self.server.count[name] = n = self.server.count.get(name, 0) + 1
        base = os.path.join(self.server.spool, f"{name}.{n}")
        with open(base + ".headers", "w", encoding="utf-8") as f:
            json.dump({k: v for k, v in self.headers.items()}, f)
        with open(base + ".tmp", "wb") as f:
            f.write(body)
        os.replace(base + ".tmp", base + ".json")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, spool):
        self.spool = spool
        self.lock = threading.Lock()
        self.count = {}
        super().__init__(addr, Handler)

    def server_bind(self):
        # No reverse DNS of the host name (HTTPServer.server_bind does it).
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spool", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    os.makedirs(args.spool, exist_ok=True)
    try:
        os.unlink(args.port_file)
    except FileNotFoundError:
        pass
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    signal.signal(signal.SIGINT, lambda s, f: stop.set())
    server = Server(("127.0.0.1", 0), os.path.abspath(args.spool))
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{server.server_address[1]}\n")
    os.replace(tmp, args.port_file)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
