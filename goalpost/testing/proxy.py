"""A TCP proxy that loses requests or responses: real network failures for client tests."""

from __future__ import annotations

import asyncio


class TcpProxy:
    """A TCP proxy in front of a server that can drop requests: real network failures.

    `drop_next()` closes the connection when the next request arrives (the server never sees it);
    `drop_next(after_server=True)` forwards the request and drops the response instead (the
    server did the work, the client never learns it).
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.dropped = 0
        self._drops: list[bool] = []
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def drop_next(self, count: int = 1, *, after_server: bool = False) -> None:
        self._drops.extend([after_server] * count)

    def cut_all(self) -> None:
        """Close every open connection now, as a network that drops (a WebSocket included)."""
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> TcpProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*self.target)
        self._writers.update((client_w, server_w))
        # Per connection: is a response still owed, and must it be swallowed?
        state = {"awaiting": False, "swallow": False}

        def close() -> None:
            for writer in (client_w, server_w):
                writer.close()
                self._writers.discard(writer)

        async def upstream() -> None:
            while data := await client_r.read(65536):
                if not state["awaiting"]:
                    state["awaiting"] = True
                    if self._drops:
                        if not self._drops.pop(0):
                            self.dropped += 1
                            close()
                            return
                        state["swallow"] = True
                server_w.write(data)
                await server_w.drain()
            close()

        async def downstream() -> None:
            while data := await server_r.read(65536):
                if state["swallow"]:
                    self.dropped += 1
                    close()
                    return
                state["awaiting"] = False
                client_w.write(data)
                await client_w.drain()
            close()

        results = await asyncio.gather(upstream(), downstream(), return_exceptions=True)
        close()
        for result in results:
            if isinstance(result, Exception) and not isinstance(result, ConnectionError | OSError):
                raise result
