/**
 * The pages a person sees during an OAuth flow — sign-in, consent, sign-out, errors — rendered
 * on the server as plain HTML forms: no script at all, one inline stylesheet allowed by a
 * per-response nonce, and a Content-Security-Policy that allows nothing else (CSP Level 3).
 * `form-action` lists this origin and the client's redirect origin: browsers check the
 * redirects that follow a form submission against it. Every value is HTML-escaped.
 */
import { randomBytes } from 'node:crypto';

export interface Page {
  html: string;
  csp: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; display: grid; place-items: center; min-height: 100vh; }
main { width: min(24rem, 100% - 2rem); padding: 1.5rem 1rem; }
h1 { font-size: 1.4rem; }
label { display: block; margin: 1rem 0 .25rem; }
input[type=email], input[type=password], input[type=text] { width: 100%; box-sizing: border-box; padding: .7rem; font-size: 1rem; }
button { width: 100%; margin-top: 1.25rem; padding: .8rem; font-size: 1rem; cursor: pointer; }
button.secondary { background: none; border: 1px solid currentColor; }
ul { padding-left: 1.25rem; } li { margin: .3rem 0; }
.error { color: #b00020; } code { overflow-wrap: anywhere; }
`;

function layout(title: string, body: string, formOrigins: string[] = []): Page {
  const nonce = randomBytes(16).toString('base64');
  const forms = ["'self'", ...new Set(formOrigins)].join(' ');
  return {
    csp: `default-src 'none'; style-src 'nonce-${nonce}'; form-action ${forms}; frame-ancestors 'none'; base-uri 'none'`,
    html: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Portico</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>`,
  };
}

export interface FormContext {
  /** Where the form posts. */
  action: string;
  /** The anti-forgery token bound to this interaction. */
  csrf: string;
  /** The client's name as an admin registered it. */
  clientName: string;
  /** Origin of the redirect that ends the flow (for `form-action`). */
  redirectOrigin: string | null;
}

const hidden = (csrf: string) => `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`;

export function signInPage(ctx: FormContext, opts: { email?: string; error?: string } = {}): Page {
  const error = opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : '';
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(ctx.clientName)}</strong></p>
${error}
<form method="post" action="${escapeHtml(ctx.action)}/login">
${hidden(ctx.csrf)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${escapeHtml(opts.email ?? '')}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128">
<button type="submit">Sign in</button>
</form>
<form method="post" action="${escapeHtml(ctx.action)}/abort">${hidden(ctx.csrf)}<button class="secondary" type="submit">Cancel</button></form>`,
    ctx.redirectOrigin ? [ctx.redirectOrigin] : [],
  );
}

/**
 * The second step of signing in: a code from the authenticator app or a recovery code. The
 * `mfa_token` the password step issued travels in a hidden field (single use, five minutes).
 */
export function codePage(ctx: FormContext, mfaToken: string, opts: { error?: string } = {}): Page {
  const error = opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : '';
  return layout(
    'Two-step verification',
    `<h1>Two-step verification</h1>
<p>Enter the code from your authenticator app to continue to <strong>${escapeHtml(ctx.clientName)}</strong>, or one of your recovery codes.</p>
${error}
<form method="post" action="${escapeHtml(ctx.action)}/totp">
${hidden(ctx.csrf)}
<input type="hidden" name="mfa_token" value="${escapeHtml(mfaToken)}">
<label for="code">Code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="32" autofocus>
<button type="submit">Verify</button>
</form>
<form method="post" action="${escapeHtml(ctx.action)}/abort">${hidden(ctx.csrf)}<button class="secondary" type="submit">Cancel</button></form>`,
    ctx.redirectOrigin ? [ctx.redirectOrigin] : [],
  );
}

/** What each scope lets the client do, in words. */
function describeScope(scope: string): string {
  switch (scope) {
    case 'openid':
      return 'Know who you are';
    case 'profile':
      return 'Read your name and profile';
    case 'email':
      return 'Read your email address';
    case 'offline_access':
      return 'Stay signed in when you are away';
    default:
      return `Use the permission ${scope}`;
  }
}

export function consentPage(ctx: FormContext, scopes: string[]): Page {
  const items = scopes
    .map((s) => `<li>${escapeHtml(describeScope(s))} <code>${escapeHtml(s)}</code></li>`)
    .join('\n');
  return layout(
    'Allow access',
    `<h1>Allow access?</h1>
<p><strong>${escapeHtml(ctx.clientName)}</strong> asks to:</p>
<ul>
${items}
</ul>
<p>You can withdraw this later (<code>DELETE /api/v1/auth/consents/{client_id}</code>).</p>
<form method="post" action="${escapeHtml(ctx.action)}/consent">${hidden(ctx.csrf)}<button type="submit">Allow</button></form>
<form method="post" action="${escapeHtml(ctx.action)}/abort">${hidden(ctx.csrf)}<button class="secondary" type="submit">Deny</button></form>`,
    ctx.redirectOrigin ? [ctx.redirectOrigin] : [],
  );
}

export function errorPage(error: string, description: string | undefined): Page {
  return layout(
    'Sign-in error',
    `<h1>This sign-in cannot continue</h1>
<p class="error"><code>${escapeHtml(error)}</code></p>
${description ? `<p>${escapeHtml(description)}</p>` : ''}
<p>Go back to the application and try again.</p>`,
  );
}

/**
 * Sign-out confirmation: `form` is the provider's own form (hidden fields with its xsrf token);
 * `redirectOrigins` are where the client may be sent back after it (for `form-action`).
 */
export function signOutPage(form: string, redirectOrigins: string[]): Page {
  return layout(
    'Sign out',
    `<h1>Sign out?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button class="secondary" type="submit" form="op.logoutForm">Stay signed in</button>`,
    redirectOrigins,
  );
}

export function signedOutPage(): Page {
  return layout('Signed out', '<h1>You are signed out</h1><p>You can close this page.</p>');
}
