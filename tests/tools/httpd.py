#!/usr/bin/python3
"""Local HTTP server for fragwatch's tests and demo (loopback only).

    /usr/bin/python3 tests/tools/httpd.py --root DIR --port-file FILE \
        [--bind 127.0.0.1] [--port 0] [--verbose]

Listens on an ephemeral port, writes the port number to FILE (atomically,
via FILE.tmp) once listening, and serves until SIGTERM or SIGINT (exit 0).

Routes (NAME is a plain file name inside DIR; no slashes, no dot files):
  GET /files/NAME        the file, with Content-Length, a strong ETag (its
                         SHA-256) and Last-Modified; If-None-Match and
                         If-Modified-Since give 304.  HEAD works too.
  GET /status/NNN        status NNN with a short text body; ?location=URL
                         adds a Location header, ?retry_after=S Retry-After.
  GET /html              200 text/html: an HTML error page ("served with
                         200 by a broken proxy").
  GET /empty             200, Content-Length: 0, text/csv.
  GET /truncate/NAME     200 with the full Content-Length, sends the first
                         half of the bytes, then closes the connection.
  GET /slow/NAME?chunk=BYTES&delay=SECONDS
                         200 without Content-Length (close-delimited; with
                         &chunked=1 chunked transfer encoding), the file in
                         chunks of BYTES (default 4096) with SECONDS (default
                         0.2) between them.
  GET /big/NAME?repeat=N the file's header line once, then its data lines N
                         times (default 1), streamed close-delimited (or
                         &chunked=1), for size-cap tests.
  GET /flaky/NAME?fail=N the first N requests for this URL get 503, later
                         ones the file as /files/NAME (retry tests).
  GET /auth/NAME?bearer=TOKEN  or  ?basic=USER:PASSWORD
                         401 unless the request carries that Authorization,
                         then the file as /files/NAME.
  anything else          404.
"""

import argparse
import email.utils
import hashlib
import ipaddress
import os
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Service unavailable</title>"
    b"<meta charset=\"utf-8\"></head>\n<body><h1>Service unavailable</h1>\n"
    b"<p>The server is temporarily unable to service your request due to "
    b"maintenance downtime or capacity problems. Please try again later."
    b"</p>\n<hr><address>Apache Server at extract.example.org Port 443"
    b"</address>\n</body></html>\n")

DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError,
               socket.timeout)

VERBOSE = False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fragwatch-test-httpd"
    timeout = 60            # an idle keep-alive connection is dropped

    # -- plumbing ---------------------------------------------------------

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if VERBOSE:
            sys.stderr.write("httpd: %s %s\n" % (self.address_string(),
                                                fmt % args))

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except DISCONNECTS:
            self.close_connection = True

    def simple(self, code, body=b"", ctype="text/plain; charset=utf-8",
               headers=()):
        self.send_response(code)
        no_body = code < 200 or code in (204, 304)
        if not no_body:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if body and not no_body and self.command != "HEAD":
            self.wfile.write(body)

    def not_found(self):
        self.simple(404, b"404 Not Found\n")

    def file_path(self, name):
        """DIR/NAME for a plain file name, or None."""
        name = urllib.parse.unquote(name)
        if (not name or "/" in name or "\\" in name or "\0" in name or
                name.startswith(".")):
            return None
        path = os.path.join(self.server.root, name)
        return path if os.path.isfile(path) else None

    def close_delimited(self, chunked):
        """Headers of a streamed 200 without Content-Length."""
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def stream(self, data, chunked):
        if not data:
            return
        if chunked:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        else:
            self.wfile.write(data)

    def end_stream(self, chunked):
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # -- routes -----------------------------------------------------------

    def do_HEAD(self):
        route = urllib.parse.urlsplit(self.path).path.split("/")[1]
        if route in ("truncate", "slow", "big"):
            self.simple(405, b"405 Method Not Allowed\n",
                        headers=[("Allow", "GET")])
        else:
            self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        parts = url.path.split("/", 2)[1:]
        route = parts[0] if parts else ""
        arg = parts[1] if len(parts) > 1 else None
        try:
            if route == "files" and arg is not None:
                self.route_files(arg)
            elif route == "status" and arg is not None:
                self.route_status(arg, query)
            elif url.path == "/html":
                self.simple(200, HTML_PAGE, "text/html; charset=utf-8")
            elif url.path == "/empty":
                self.simple(200, b"", "text/csv")
            elif route == "truncate" and arg is not None:
                self.route_truncate(arg)
            elif route == "slow" and arg is not None:
                self.route_slow(arg, query)
            elif route == "big" and arg is not None:
                self.route_big(arg, query)
            elif route == "flaky" and arg is not None:
                self.route_flaky(arg, query)
            elif route == "auth" and arg is not None:
                self.route_auth(arg, query)
            else:
                self.not_found()
        except DISCONNECTS:
            self.close_connection = True
        except ValueError:
            self.simple(400, b"400 Bad Request\n")

    def route_flaky(self, name, query):
        fail = int(query.get("fail", ["1"])[0])
        with self.server.lock:
            seen = self.server.flaky.get(self.path, 0)
            self.server.flaky[self.path] = seen + 1
        if seen < fail:
            return self.simple(503, b"503 Service Unavailable\n")
        self.route_files(name)

    def route_auth(self, name, query):
        import base64
        want = None
        if "bearer" in query:
            want = "Bearer " + query["bearer"][0]
        elif "basic" in query:
            want = "Basic " + base64.b64encode(
                query["basic"][0].encode()).decode()
        if want is None or self.headers.get("Authorization") != want:
            return self.simple(401, b"401 Unauthorized\n",
                               headers=[("WWW-Authenticate", "Basic")])
        self.route_files(name)

    def route_files(self, name):
        path = self.file_path(name)
        if path is None:
            return self.not_found()
        st = os.stat(path)
        etag = '"%s"' % self.server.sha256(path, st)
        mtime = int(st.st_mtime)
        headers = [("ETag", etag),
                   ("Last-Modified",
                    email.utils.formatdate(mtime, usegmt=True))]
        if self.not_modified(etag, mtime):
            return self.simple(304, headers=headers)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(st.st_size))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return None
        with open(path, "rb") as f:
            while True:
                buf = f.read(65536)
                if not buf:
                    break
                self.wfile.write(buf)
        return None

    def not_modified(self, etag, mtime):
        inm = self.headers.get("If-None-Match")
        if inm is not None:     # takes precedence over If-Modified-Since
            tags = [t.strip() for t in inm.split(",")]
            if "*" in tags:
                return True
            return any(t.removeprefix("W/") == etag for t in tags)
        ims = self.headers.get("If-Modified-Since")
        if ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError, IndexError):
                return False
            return mtime <= since
        return False

    def route_status(self, code, query):
        if len(code) != 3 or not code.isdigit() or not 100 <= int(code) <= 599:
            return self.not_found()
        n = int(code)
        headers = []
        if "location" in query:
            headers.append(("Location", query["location"][0]))
        if "retry_after" in query:
            headers.append(("Retry-After", query["retry_after"][0]))
        try:
            phrase = self.responses[n][0]
        except KeyError:
            phrase = "Status"
        return self.simple(n, f"{n} {phrase}\n".encode(), headers=headers)

    def route_truncate(self, name):
        path = self.file_path(name)
        if path is None:
            return self.not_found()
        with open(path, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[:len(data) // 2])
        self.wfile.flush()
        self.close_connection = True
        return None

    def route_slow(self, name, query):
        path = self.file_path(name)
        if path is None:
            return self.not_found()
        chunk = int(query.get("chunk", ["4096"])[0])
        delay = float(query.get("delay", ["0.2"])[0])
        if chunk < 1 or not 0 <= delay <= 3600:
            raise ValueError("bad chunk or delay")
        chunked = query.get("chunked", ["0"])[0] == "1"
        self.close_delimited(chunked)
        with open(path, "rb") as f:
            first = True
            while True:
                buf = f.read(chunk)
                if not buf:
                    break
                if not first:
                    time.sleep(delay)
                first = False
                self.stream(buf, chunked)
                self.wfile.flush()
        self.end_stream(chunked)
        return None

    def route_big(self, name, query):
        path = self.file_path(name)
        if path is None:
            return self.not_found()
        repeat = int(query.get("repeat", ["1"])[0])
        if repeat < 0:
            raise ValueError("bad repeat")
        chunked = query.get("chunked", ["0"])[0] == "1"
        with open(path, "rb") as f:
            data = f.read()
        nl = data.find(b"\n")
        header, body = (data, b"") if nl < 0 else (data[:nl + 1],
                                                     data[nl + 1:])
        if header and not header.endswith(b"\n"):
            header += b"\n"
        if body and not body.endswith(b"\n"):
            body += b"\n"
        self.close_delimited(chunked)
        self.stream(header, chunked)
        if body and repeat:
            # Batch small bodies into ~256 KiB writes.
            per = max(1, min(repeat, (256 * 1024) // len(body)))
            block = body * per
            left = repeat
            while left >= per:
                self.stream(block, chunked)
                left -= per
            if left:
                self.stream(body * left, chunked)
        self.end_stream(chunked)
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, root, family):
        self.address_family = family
        self.root = root
        self._etags = {}
        self._lock = threading.Lock()
        self.lock = threading.Lock()    # guards flaky
        self.flaky = {}                 # /flaky URL -> requests seen
        super().__init__(addr, Handler)

    def server_bind(self):
        # HTTPServer.server_bind would resolve the host name (getfqdn),
        # which can stall on a machine with broken DNS; loopback needs none.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def sha256(self, path, st):
        key = (path, st.st_mtime_ns, st.st_size, st.st_ino)
        with self._lock:
            hit = self._etags.get(key)
        if hit is None:
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for buf in iter(lambda: f.read(1 << 20), b""):
                    h.update(buf)
            hit = h.hexdigest()
            with self._lock:
                self._etags[key] = hit
        return hit

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, DISCONNECTS):
            return
        if VERBOSE:
            super().handle_error(request, client_address)


def write_port_file(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{port}\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv=None):
    global VERBOSE
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True, help="directory of NAME files")
    ap.add_argument("--port-file", required=True,
                    help="file to write the port number to")
    ap.add_argument("--bind", default="127.0.0.1",
                    help="loopback address (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0,
                    help="port (default 0: an ephemeral port)")
    ap.add_argument("--verbose", action="store_true",
                    help="log requests and errors to stderr")
    args = ap.parse_args(argv)
    VERBOSE = args.verbose
    try:
        ip = ipaddress.ip_address(args.bind)
    except ValueError:
        ap.error(f"--bind: not an IP address: '{args.bind}'")
    if not ip.is_loopback:
        ap.error(f"--bind: not a loopback address: '{args.bind}'")
    if not os.path.isdir(args.root):
        ap.error(f"--root: not a directory: '{args.root}'")
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET

    # A stale port file from an earlier run must not be mistaken for ours.
    try:
        os.unlink(args.port_file)
    except FileNotFoundError:
        pass

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        server = Server((args.bind, args.port), os.path.abspath(args.root),
                        family)
    except OSError as e:
        print(f"httpd: cannot listen on {args.bind}:{args.port}: {e}",
              file=sys.stderr)
        return 1
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    write_port_file(args.port_file, port)
    if VERBOSE:
        print(f"httpd: serving {args.root} on {args.bind}:{port}",
              file=sys.stderr)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
