import type { Server } from 'node:http';

/**
 * How long a stand-in keeps an idle keep-alive connection. Node's default (5 s) is barely above
 * fetch's (undici: the server's hint minus 1 s): on a busy machine, with timers late by a second, the
 * client reuses a socket the server is closing and the request fails with a network error. Servers
 * that keep idle connections longer than any test pause remove that race; `stop()` closes them.
 */
export const STAND_IN_KEEP_ALIVE_MS = 65_000;

/** Applies {@link STAND_IN_KEEP_ALIVE_MS} to a stand-in's HTTP server. */
export function keepIdleConnectionsOpen(server: Server): Server {
  server.keepAliveTimeout = STAND_IN_KEEP_ALIVE_MS;
  return server;
}
