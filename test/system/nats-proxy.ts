/**
 * A TCP proxy to NATS for crash tests: a part reaches NATS through it, and the test stalls the
 * client→server direction so that a publish cannot leave before the part is killed.
 */
import net from 'node:net';

/** A TCP proxy to NATS whose client→server direction can be stalled. */
export async function stallableProxy(target: URL) {
  let stalled = false;
  const pending = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 4222), target.hostname);
    client.on('data', (chunk) => {
      if (!stalled) upstream.write(chunk);
    });
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      pending.delete(client);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    pending.add(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `nats://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stall: () => (stalled = true),
    close: () => {
      for (const s of pending) s.destroy();
      server.close();
    },
  };
}
