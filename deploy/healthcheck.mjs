// The image's HEALTHCHECK: GET /health/ready on the part's port. The port is PORT, else the
// embedded port of the service this container starts (`start <name>`, read from PID 1's
// command line), else 8000 (the gateway). Exit 0 healthy, 1 not.
import { readFileSync } from 'node:fs';

function partPort() {
  if (process.env.PORT) return process.env.PORT;
  try {
    const argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
    const name = argv[argv.indexOf('start') + 1];
    if (name && name !== 'gateway' && /^[a-z][a-z0-9-]*$/.test(name)) {
      const pkg = JSON.parse(
        readFileSync(new URL(`../services/${name}/package.json`, import.meta.url), 'utf8'),
      );
      if (pkg.portico?.port) return String(pkg.portico.port);
    }
  } catch {
    /* not started by the image's entrypoint */
  }
  return '8000';
}

try {
  const res = await fetch(`http://127.0.0.1:${partPort()}/health/ready`, {
    signal: AbortSignal.timeout(4000),
  });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
