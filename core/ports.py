"""Small TCP helpers for starting local servers: free ports, waiting for a port to be free,
binding a listening socket early."""

from __future__ import annotations

import socket
import time


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when a server could bind ``host:port`` now (as servers do, with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def bind_listening(host: str, port: int, timeout: float = 30.0) -> socket.socket | None:
    """A listening socket on ``host:port``, retried until ``timeout`` while the port is
    taken (e.g. a previous server is still stopping); None if it stays taken. Port 0: the
    OS picks a free one (read it with ``getsockname()``). Binding is the only check
    without a race: a port found free may be taken before a server binds it."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_server((host, port), family=family, backlog=2048)
        except OSError:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.2)


def wait_port_free(port: int, host: str = "127.0.0.1", timeout: float = 30.0) -> bool:
    """Wait until ``port`` can be bound (e.g. a previous server is still stopping)."""
    deadline = time.monotonic() + timeout
    while not port_is_free(port, host):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True
