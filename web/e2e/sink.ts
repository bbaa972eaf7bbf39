import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Sink is a proxy that forwards nothing: the Firefox and WebKit runs send
 * every request for a host other than the system under test (which is on
 * the loopback address, never proxied) here, where it is refused and
 * written down. So a browser's background traffic (updates, telemetry,
 * blocklists) neither leaves the machine nor even resolves a name, and a
 * test can assert that there was none.
 */
export interface Sink {
  readonly port: number;
  /** seen lists what reached the sink: "GET http://host/path" or "CONNECT host:443". */
  readonly seen: readonly string[];
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method ?? '?'} ${req.url ?? ''}`);
    res.writeHead(403, { 'Content-Type': 'text/plain', Connection: 'close' });
    res.end('e2e: no outside network\n');
  });
  server.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url ?? ''}`);
    socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
