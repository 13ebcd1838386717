/** Free TCP ports on the loopback interface, for servers that must be told their port up front. */
import { createServer } from 'node:net';

/**
 * Asks the OS for a free port and releases it. Another process can take it before the caller
 * binds it (another test file's server, or any outgoing connection, whose local ports come from
 * the same range): a server that can listen on port 0 and report its port does that instead.
 */
function freePort(): Promise<number> {
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

const PORT_TAKEN = /EADDRINUSE|address already in use/i;

/** Starts a server on a free port, and on another one when something took the port in between. */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (error) {
      if (attempt >= attempts || !PORT_TAKEN.test(String(error))) throw error;
    }
  }
}
