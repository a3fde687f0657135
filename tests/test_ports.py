import socket

from core.ports import free_port, port_is_free, wait_port_free


def test_busy_port_is_reported_until_released() -> None:
    port = free_port()
    assert port_is_free(port)
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        assert not port_is_free(port)
        assert not wait_port_free(port, timeout=0.3)
    assert wait_port_free(port, timeout=5)
