/**
 * The console's files as the gateway serves them under `/console`: the app's own ES modules,
 * stylesheet and page from `public/`, and the UI library's modules from `node_modules` (Preact,
 * its hooks and htm — no build step, no CDN). Read once, kept in memory, each with a strong
 * validator (RFC 9110 §8.8.3) so a browser revalidates cheaply instead of trusting a stale copy.
 *
 * Only the paths listed here exist: a request path is looked up in this map, never joined onto
 * a directory, so no path can reach another file.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ConsoleAsset {
  type: string;
  body: Buffer;
  etag: string;
}

/** Where the console lives on the gateway. */
export const CONSOLE_PREFIX = '/console';

/**
 * The page's policy (CSP Level 3): scripts and styles only from the gateway's own origin, no
 * inline script or style, no eval, API calls only to the same origin, never framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');

function asset(type: string, body: Buffer): ConsoleAsset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { type, body, etag };
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/**
 * The library's ES modules. Preact's hooks import the bare specifier `preact`, which a browser
 * cannot resolve without an import map (an inline script the policy forbids), so that one
 * specifier is pointed at the file served next to it.
 */
function vendor(): [string, ConsoleAsset][] {
  const require = createRequire(import.meta.url);
  // htm's exports map hides its package.json; each main entry sits in dist/ beside the module.
  const dist = (entry: string) => dirname(require.resolve(entry));
  // The source-map comment would send the browser's developer tools after a file not served.
  const js = (file: string, rewrite = (s: string) => s) =>
    asset(
      TYPES['.js']!,
      Buffer.from(rewrite(readFileSync(file, 'utf8')).replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n')),
    );
  return [
    ['/console/vendor/preact.js', js(join(dist('preact'), 'preact.module.js'))],
    [
      '/console/vendor/hooks.js',
      js(join(dist('preact/hooks'), 'hooks.module.js'), (s) =>
        s.replaceAll(/from\s*["']preact["']/g, 'from"./preact.js"'),
      ),
    ],
    ['/console/vendor/htm.js', js(join(dist('htm'), 'htm.module.js'))],
  ];
}

function load(): Map<string, ConsoleAsset> {
  const files = new Map<string, ConsoleAsset>();
  for (const file of walk(PUBLIC_DIR)) {
    const type = TYPES[extname(file)];
    if (!type) continue;
    const url = `${CONSOLE_PREFIX}/${relative(PUBLIC_DIR, file).split(sep).join('/')}`;
    files.set(url, asset(type, readFileSync(file)));
  }
  for (const [url, a] of vendor()) files.set(url, a);
  const page = files.get(`${CONSOLE_PREFIX}/index.html`);
  if (!page) throw new Error(`the console's page is missing (${PUBLIC_DIR}/index.html)`);
  files.set(CONSOLE_PREFIX, page);
  files.set(`${CONSOLE_PREFIX}/`, page);
  return files;
}

let assets: Map<string, ConsoleAsset> | null = null;

/** Every path the console answers, and its file. */
export function consoleAssets(): ReadonlyMap<string, ConsoleAsset> {
  assets ??= load();
  return assets;
}
