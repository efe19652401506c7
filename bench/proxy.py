"""A tiny round-robin TCP proxy on loopback: "two hotline instances behind one address".

Each new connection goes to the next backend in turn and bytes are copied both ways; nothing
is parsed. What a platform's router or a load balancer does, just enough for bench/cluster.py.

    python bench/proxy.py LISTEN_PORT BACKEND_PORT [BACKEND_PORT ...]
"""
from __future__ import annotations

import asyncio
import itertools
import sys


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            writer.close()
        except RuntimeError:
            pass


async def main(listen: int, backends: list[int]) -> None:
    turn = itertools.cycle(backends)

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", next(turn))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    server = await asyncio.start_server(handle, "127.0.0.1", listen, backlog=2048)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), [int(p) for p in sys.argv[2:]]))
