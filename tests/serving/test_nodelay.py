"""Every worker of the default `goalpost serve` sets TCP_NODELAY on the connections it
accepts. Without it a response written in two pieces waits for the client's delayed ACK
(Nagle's algorithm): ~40 ms on every request of a kept-alive connection (docs/scaling.md).

The option is read on the server's own sockets, from outside: pidfd_getfd (Linux >= 5.6)
copies a socket of a worker into this process, which may do so as the worker's ancestor.
No endpoint of the server is involved."""

from __future__ import annotations

import ctypes
import errno
import http.client
import os
import socket

from goalpost.testing import ServerProcess
from tests.serving.conftest import WORKERS, children

SYS_PIDFD_GETFD = 438  # the same number on every architecture (Linux 5.6)
_libc = ctypes.CDLL(None, use_errno=True)


def copy_fd(pidfd: int, fd: int) -> int | None:
    """This process's copy of another process's file descriptor; None if it closed since."""
    copied = int(_libc.syscall(SYS_PIDFD_GETFD, pidfd, fd, 0))
    if copied >= 0:
        return copied
    code = ctypes.get_errno()
    if code == errno.EBADF:
        return None
    raise OSError(code, f"pidfd_getfd: {os.strerror(code)}")


def peer(sock: socket.socket) -> tuple[str, int] | None:
    """The other end of a connected socket; None for the listening one."""
    try:
        address: tuple[str, int] = sock.getpeername()
    except OSError as exc:
        if exc.errno == errno.ENOTCONN:
            return None
        raise
    return address


def accepted_nodelay(pid: int, client: tuple[str, int]) -> bool | None:
    """TCP_NODELAY of the socket that process `pid` accepted from `client`; None if `pid`
    holds no such socket."""
    pidfd = os.pidfd_open(pid)
    try:
        for name in os.listdir(f"/proc/{pid}/fd"):
            try:
                if not os.readlink(f"/proc/{pid}/fd/{name}").startswith("socket:"):
                    continue
            except FileNotFoundError:
                continue
            fd = copy_fd(pidfd, int(name))
            if fd is None:
                continue
            with socket.socket(fileno=fd) as sock:  # closes the copy only
                if sock.family == socket.AF_INET and peer(sock) == client:
                    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    finally:
        os.close(pidfd)
    return None


def test_every_worker_sets_tcp_nodelay_on_kept_alive_connections(served: ServerProcess) -> None:
    workers = children(served.pid)
    nodelay: dict[int, list[bool]] = {}
    connections = []
    try:
        # Which worker accepts a connection is the kernel's choice: open connections until
        # each worker has accepted at least two (at most 80).
        while len(connections) < 80 and (
            len(nodelay) < WORKERS or min(map(len, nodelay.values())) < 2
        ):
            connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
            connections.append(connection)
            for _ in range(2):  # the second request rides the kept-alive connection
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                assert response.status == 200
            client = connection.sock.getsockname()
            held = {pid: accepted_nodelay(pid, client) for pid in workers}
            [(pid, value)] = [(pid, v) for pid, v in held.items() if v is not None]
            nodelay.setdefault(pid, []).append(value)
    finally:
        for connection in connections:
            connection.close()
    assert len(nodelay) == WORKERS, f"only workers {list(nodelay)} of {workers} accepted"
    assert all(all(values) for values in nodelay.values()), nodelay
