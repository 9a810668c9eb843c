#!/usr/bin/python3
"""sockrec.py - records what is sent to a unix datagram socket: the test's
NOTIFY_SOCKET (sd_notify) or journal socket (sd_journal_send).

usage: sockrec.py [--journal] SOCKET_PATH OUT_FILE

Each datagram becomes one line of OUT_FILE: "<monotonic seconds>\t<fields>",
where fields are the datagram's "KEY=value" entries joined by "\x1f" (unit
separator). With --journal the native journal protocol is decoded (a value
with a newline is sent as KEY\\n<64-bit little-endian length><bytes>\\n, and
a large entry arrives as a memfd passed with SCM_RIGHTS). Stops on SIGTERM.
"""
import array
import os
import signal
import socket
import struct
import sys
import time


def journal_fields(data):
    fields = []
    i = 0
    while i < len(data):
        nl = data.find(b"\n", i)
        if nl < 0:
            nl = len(data)
        line = data[i:nl]
        if b"=" in line:
            fields.append(line.decode("utf-8", "replace"))
            i = nl + 1
        else:  # binary-safe form: KEY\n<le64 length><value>\n
            (n,) = struct.unpack_from("<Q", data, nl + 1)
            start = nl + 9
            value = data[start:start + n]
            fields.append(line.decode() + "=" + value.decode("utf-8", "replace"))
            i = start + n + 1
    return fields


def main(argv):
    journal = "--journal" in argv
    args = [a for a in argv if a != "--journal"]
    path, out = args[0], args[1]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    with open(out, "a", buffering=1, encoding="utf-8") as f:
        f.write("%.6f\t%s\n" % (time.monotonic(), "RECORDER=ready"))
        while True:
            fds = array.array("i")
            data, anc, _, _ = s.recvmsg(1 << 20, socket.CMSG_SPACE(4))
            for level, kind, cdata in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(cdata[:len(cdata) - len(cdata) % 4])
            for fd in fds:  # a large journal entry comes as a memfd
                with os.fdopen(fd, "rb") as m:
                    data = m.read()
            if journal:
                fields = journal_fields(data)
            else:
                fields = data.decode("utf-8", "replace").split("\n")
            f.write("%.6f\t%s\n" % (time.monotonic(), "\x1f".join(fields)))


if __name__ == "__main__":
    main(sys.argv[1:])
