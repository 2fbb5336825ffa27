/**
 * GraphiQL at `GET <graphql path>` for browsers (Accept: text/html), served from the `graphiql`
 * package's prebuilt bundle and React's UMD builds in node_modules, read once into memory: no
 * CDN, since there may be no internet where the gateway runs. The page's script is a file of its
 * own so the Content-Security-Policy needs no inline script.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import type { MemoryAsset } from '../own/asset.ts';

const page = (base: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Portico GraphQL</title>
<link rel="stylesheet" href="${base}/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql" data-endpoint="${base}">Loading GraphiQL…</div>
<script src="${base}/react.production.min.js"></script>
<script src="${base}/react-dom.production.min.js"></script>
<script src="${base}/graphiql.min.js"></script>
<script src="${base}/init.js"></script>
</body>
</html>
`;

// Requests carry the headers typed into GraphiQL's Headers tab, e.g. {"Authorization": "Bearer …"}.
const INIT = `(function () {
  var root = document.getElementById('graphiql');
  var fetcher = GraphiQL.createFetcher({ url: root.getAttribute('data-endpoint') });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      defaultQuery: '# Add {"Authorization": "Bearer <token>"} under Headers, then run:\\n{\\n  viewer {\\n    orders(first: 5) {\\n      id\\n      status\\n      total\\n      shipment { status tracking { history { status at } } }\\n    }\\n  }\\n}\\n',
    }),
  );
})();
`;

export const GRAPHIQL_CSP =
  "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

const cache = new Map<string, Map<string, MemoryAsset>>();

function asset(type: string, body: Buffer): MemoryAsset {
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

function load(base: string): Map<string, MemoryAsset> {
  const require = createRequire(import.meta.url);
  const dirOf = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));
  const js = 'text/javascript; charset=utf-8';
  const file = (pkg: string, name: string, type: string) => asset(type, readFileSync(join(dirOf(pkg), name)));
  return new Map([
    ['/', asset('text/html; charset=utf-8', Buffer.from(page(base)))],
    ['/init.js', asset(js, Buffer.from(INIT))],
    ['/graphiql.min.css', file('graphiql', 'graphiql.min.css', 'text/css; charset=utf-8')],
    ['/graphiql.min.js', file('graphiql', 'graphiql.min.js', js)],
    ['/react.production.min.js', file('react', 'umd/react.production.min.js', js)],
    ['/react-dom.production.min.js', file('react-dom', 'umd/react-dom.production.min.js', js)],
  ]);
}

/** A GraphiQL file by its path under the endpoint (`/` is the page), or undefined. */
export function graphiqlAsset(base: string, sub: string): MemoryAsset | undefined {
  let files = cache.get(base);
  if (!files) cache.set(base, (files = load(base)));
  return files.get(sub);
}
