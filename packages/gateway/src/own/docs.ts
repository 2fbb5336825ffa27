/**
 * `/docs`: Swagger UI over `/openapi.json`, served from the `swagger-ui-dist` package (no CDN:
 * there may be no internet where the gateway runs). Files are read once and kept in memory.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Portico API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="portico-docs"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#portico-docs',
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
});
`;

export interface Asset {
  type: string;
  body: Buffer;
}

let assets: Map<string, Asset> | null = null;

function load(): Map<string, Asset> {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const file = (name: string, type: string): Asset => ({ type, body: readFileSync(join(dir, name)) });
  return new Map([
    ['/docs', { type: 'text/html; charset=utf-8', body: Buffer.from(HTML) }],
    ['/docs/', { type: 'text/html; charset=utf-8', body: Buffer.from(HTML) }],
    ['/docs/init.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(INIT) }],
    ['/docs/swagger-ui.css', file('swagger-ui.css', 'text/css; charset=utf-8')],
    ['/docs/swagger-ui-bundle.js', file('swagger-ui-bundle.js', 'text/javascript; charset=utf-8')],
  ]);
}

export function docsAsset(path: string): Asset | undefined {
  assets ??= load();
  return assets.get(path);
}

export const DOCS_PATHS = [
  '/docs',
  '/docs/',
  '/docs/init.js',
  '/docs/swagger-ui.css',
  '/docs/swagger-ui-bundle.js',
];

export const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";
