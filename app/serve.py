"""The production launcher: uvicorn on a listening socket bound here, so that several workers keep TCP_NODELAY.

`uvicorn --workers N` binds the shared socket with protocol 0; the sockets it accepts then carry protocol 0 too, and
asyncio only sets TCP_NODELAY on sockets whose protocol is IPPROTO_TCP, so every keep-alive response after the first
waits for the client's delayed ACK (~40 ms on Linux; Kludex/uvicorn#3149). Binding the socket with IPPROTO_TCP
ourselves and handing it to uvicorn's own supervisor removes the wait; one worker and N workers are then served the
same way.

    python -m app.serve --host 0.0.0.0 --port 8000 --workers 2 --proxy-headers

With several workers each one listens on a socket of its own, all bound to the port with SO_REUSEPORT: the kernel
hands every new connection to one of them. On one shared socket every worker is woken by a new connection and
asyncio's accept loop takes all that are waiting at once, so the first awake worker took most of a burst of
keep-alive connections (a proxy's, or the benchmark's 8) and served them alone while the other idled.
"""
from __future__ import annotations

import argparse
import os
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


def bind(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class Workers(Multiprocess):
    """uvicorn's supervisor (health checks, restarts, SIGHUP/TTIN/TTOU) with one SO_REUSEPORT socket per worker: every
    worker uvicorn starts, at first or as a replacement, reads `sockets` once and is given a freshly bound socket.
    The parent closes its copy at its next check (uvicorn starts each worker right after creating it, and the spawned
    child receives a duplicate of the descriptor): a listening socket left in the parent would keep its share of the
    connections and never answer them. A socket is only bound here; the worker's server starts listening on it."""

    def __init__(self, config: uvicorn.Config, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._handed: list[socket.socket] = []
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:
        sock = bind(self._host, self._port, reuse_port=True)
        self._handed.append(sock)
        return [sock]

    @sockets.setter
    def sockets(self, value) -> None:  # Multiprocess.__init__ assigns the shared list; each worker gets its own instead
        pass

    def keep_subprocess_alive(self) -> None:
        handed, self._handed = self._handed, []
        for sock in handed:  # their workers were started when they were created
            sock.close()
        super().keep_subprocess_alive()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m app.serve", description="客服部门户：启动 Web 进程")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    p.add_argument("--proxy-headers", action="store_true", help="trust X-Forwarded-* from --forwarded-allow-ips")
    p.add_argument("--forwarded-allow-ips", default=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))
    p.add_argument("--log-level", default="info")
    p.add_argument("--app", default="app.main:app")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    config = uvicorn.Config(args.app, host=args.host, port=args.port, workers=max(1, args.workers),
                            proxy_headers=args.proxy_headers, forwarded_allow_ips=args.forwarded_allow_ips,
                            log_level=args.log_level)
    if config.workers > 1:
        Workers(config, args.host, args.port).run()
    else:
        uvicorn.Server(config).run(sockets=[bind(args.host, args.port)])


if __name__ == "__main__":
    main()
