import socket

from core.ports import bind_listening, free_port, port_is_free, wait_port_free


def test_busy_port_is_reported_until_released() -> None:
    port = free_port()
    assert port_is_free(port)
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        assert not port_is_free(port)
        assert not wait_port_free(port, timeout=0.3)
    assert wait_port_free(port, timeout=5)


def test_listening_socket_is_bound_at_once_or_not_at_all() -> None:
    picked = bind_listening("127.0.0.1", 0)  # port 0: the OS picks, the socket holds it
    assert picked is not None
    port = picked.getsockname()[1]
    assert port > 0 and not port_is_free(port)
    assert bind_listening("127.0.0.1", port, timeout=0.3) is None  # taken: waits, gives up
    picked.close()
    again = bind_listening("127.0.0.1", port, timeout=5)
    assert again is not None
    again.close()
