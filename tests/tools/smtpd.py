#!/usr/bin/python3
"""Local SMTP server for fragwatch's delivery tests (loopback only; aiosmtpd).

    /usr/bin/python3 tests/tools/smtpd.py --spool DIR --port-file FILE
        [--tls-cert CERT --tls-key KEY] [--implicit-tls] [--no-starttls]
        [--auth USER:PASSWORD_FILE] [--auth-mechs PLAIN,LOGIN]
        [--reject ADDR]... [--defer ADDR]... [--stall]

Listens on an ephemeral port of 127.0.0.1, writes the port number to FILE
(atomically) once listening, and serves until SIGTERM or SIGINT (exit 0).

  --tls-cert/--tls-key  STARTTLS offered and required before MAIL (unless
                        --no-starttls: no STARTTLS at all, plain text)
  --implicit-tls        TLS from the first byte (smtps://) instead
  --auth USER:FILE      AUTH required, the password is FILE's first line;
                        offered only after TLS when TLS is configured
  --auth-mechs          the mechanisms offered (default PLAIN,LOGIN)
  --reject ADDR         RCPT TO:<ADDR> gets "550 5.1.1 <ADDR>: Recipient
                        address rejected: User unknown in local table"
  --defer ADDR          RCPT TO:<ADDR> gets "451 4.3.0 <ADDR>: Temporary
                        lookup failure"
  --stall               accept connections but never answer (timeouts)

Each accepted message is written to DIR/NNN.eml (the bytes of DATA as
received) and DIR/NNN.json: {"mail_from", "rcpt_tos", "tls", "auth_mechanism",
"auth_user"}.
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, spool, reject, defer):
        self.spool = spool
        self.reject = {a.lower() for a in reject}
        self.defer = {a.lower() for a in defer}
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if address.lower() in self.reject:
            return (f"550 5.1.1 <{address}>: Recipient address rejected: "
                    "User unknown in local table")
        if address.lower() in self.defer:
            return f"451 4.3.0 <{address}>: Temporary lookup failure"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.spool, "%03d" % self.count)
        auth = session.auth_data
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "auth_mechanism": getattr(session, "fw_mechanism", None),
            "auth_user": (auth.login.decode() if isinstance(auth, LoginPassword)
                          else None),
        }
        # The .eml appears last and whole: tests poll for it.
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump(meta, f)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.replace(base + ".tmp", base + ".eml")
        return f"250 OK queued as fw{self.count:03d}"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login == user.encode() and
              auth_data.password == password.encode())
        session.fw_mechanism = mechanism
        return AuthResult(success=ok, handled=False, auth_data=auth_data)
    return check


def write_port_file(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


async def serve(args):
    handler = Handler(args.spool, args.reject, args.defer)
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    kw = {"hostname": "smtpd.test", "ident": "fragwatch-test-smtpd"}
    if args.auth:
        user, _, pwfile = args.auth.partition(":")
        with open(pwfile, encoding="utf-8") as f:
            password = f.readline().rstrip("\r\n")
        mechs = {m.strip().upper() for m in args.auth_mechs.split(",")}
        kw.update(authenticator=authenticator(user, password),
                  auth_required=True,
                  # aiosmtpd counts only STARTTLS as TLS.
                  auth_require_tls=tls is not None and not args.implicit_tls,
                  auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN")
                                          if m not in mechs])
    if tls is not None and not args.implicit_tls and not args.no_starttls:
        kw.update(tls_context=tls, require_starttls=True)

    loop = asyncio.get_running_loop()
    if args.stall:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        port = sock.getsockname()[1]
        server = None
    else:
        server = await loop.create_server(
            lambda: SMTP(handler, **kw), "127.0.0.1", 0,
            ssl=tls if args.implicit_tls else None)
        port = server.sockets[0].getsockname()[1]
    write_port_file(args.port_file, port)

    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    await stop.wait()
    if server is not None:
        server.close()
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spool", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--implicit-tls", action="store_true")
    ap.add_argument("--no-starttls", action="store_true")
    ap.add_argument("--auth")
    ap.add_argument("--auth-mechs", default="PLAIN,LOGIN")
    ap.add_argument("--reject", action="append", default=[])
    ap.add_argument("--defer", action="append", default=[])
    ap.add_argument("--stall", action="store_true")
    args = ap.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.implicit_tls and not args.tls_cert:
        ap.error("--implicit-tls needs --tls-cert and --tls-key")
    os.makedirs(args.spool, exist_ok=True)
    try:
        os.unlink(args.port_file)
    except FileNotFoundError:
        pass
    return asyncio.run(serve(args))


if __name__ == "__main__":
    sys.exit(main())
