/** Free TCP ports on the loopback interface, for servers that must be told their port up front. */
import { createServer } from 'node:net';

/**
 * Asks the OS for a free port and releases it. Another process could take it before the caller
 * binds it, but the OS hands out ephemeral ports round-robin, so in practice it stays free.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}
