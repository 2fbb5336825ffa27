// The console's shell: sign-in, then a navigation the caller's roles shape and the view the
// route names. What a view shows comes from the API, which decides what the caller may see:
// the roles here only choose which links to offer.
import {
  currentSession,
  onSessionChange,
  signIn,
  signInWithCode,
  signOut,
  streamNotifications,
} from './api.js';
import { go, useRoute } from './router.js';
import { html, Problem, render, useEffect, useState } from './ui.js';
import { Operations } from './views/operations.js';
import { Audit } from './views/audit.js';
import { DeadLetters } from './views/dead-letters.js';
import { Events } from './views/events.js';
import { StudentHome, StudentList, StudentProfile } from './views/students.js';
import { Shop } from './views/shop.js';
import { Orders } from './views/orders.js';
import { Tasks } from './views/tasks.js';
import { Notifications } from './views/notifications.js';
import { Teaching } from './views/teaching.js';
import { Absences, Finance } from './views/office.js';

function SignIn() {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // Set when the account has an authenticator app: the password was right, a code is due.
  const [mfaToken, setMfaToken] = useState(null);
  const unreachable = () => ({ title: 'The gateway could not be reached' });
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    const problem = mfaToken
      ? await signInWithCode(mfaToken, String(form.get('code'))).catch(unreachable)
      : await signIn(String(form.get('email')), String(form.get('password'))).catch(unreachable);
    setBusy(false);
    if (problem?.code === 'mfa_required') {
      setMfaToken(problem.mfa_token);
      return setError(null);
    }
    // A spent or expired challenge: start again from the password.
    if (problem?.code === 'invalid_token') setMfaToken(null);
    setError(problem);
  };
  const fields = mfaToken
    ? html`<p>Enter the code from your authenticator app, or one of your recovery codes.</p>
        <label key="code"
          >Code <input name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="32"
        /></label>`
    : html`<label key="email"
          >Email <input name="email" type="email" autocomplete="username" required
        /></label>
        <label key="password"
          >Password <input name="password" type="password" autocomplete="current-password" required
        /></label>`;
  return html`<main class="signin">
    <form class="card" onSubmit=${submit}>
      <h1>Portico console</h1>
      ${fields}
      <${Problem} error=${error} />
      <button type="submit" disabled=${busy}>
        ${busy ? 'Signing in…' : mfaToken ? 'Verify' : 'Sign in'}
      </button>
      <p class="muted small">
        Your session lives in this tab only: reloading the page asks you to sign in again.
      </p>
    </form>
  </main>`;
}

function navFor(roles) {
  const has = (r) => roles.includes(r);
  const links = [];
  if (has('admin'))
    links.push(
      ['ops', 'Operations'],
      ['audit', 'Audit log'],
      ['dead-letters', 'Dead letters'],
      ['events', 'Events'],
    );
  if (has('student')) links.push(['me', 'My studies']);
  if (has('instructor')) links.push(['teaching', 'Teaching']);
  if (has('admin') || has('staff')) links.push(['finance', 'Finance'], ['absences', 'Absences']);
  if (has('admin') || has('staff') || has('instructor')) links.push(['students', 'Students']);
  links.push(['shop', 'Shop'], ['orders', 'Orders'], ['tasks', 'Tasks'], ['notifications', 'Notifications']);
  return links;
}

function homeFor(roles) {
  if (roles.includes('admin')) return 'ops';
  if (roles.includes('student')) return 'me';
  if (roles.includes('instructor')) return 'teaching';
  if (roles.includes('staff')) return 'finance';
  return 'shop';
}

function View({ route, roles, live }) {
  const p = route.params;
  switch (route.name || homeFor(roles)) {
    case 'ops':
      return html`<${Operations} />`;
    case 'audit':
      return html`<${Audit} />`;
    case 'dead-letters':
      return html`<${DeadLetters} />`;
    case 'events':
      return html`<${Events} />`;
    case 'me':
      return html`<${StudentHome} />`;
    case 'students':
      return p[0] ? html`<${StudentProfile} id=${p[0]} />` : html`<${StudentList} />`;
    case 'teaching':
      return html`<${Teaching} />`;
    case 'finance':
      return html`<${Finance} />`;
    case 'absences':
      return html`<${Absences} />`;
    case 'shop':
      return html`<${Shop} />`;
    case 'orders':
      return html`<${Orders} id=${p[0]} />`;
    case 'tasks':
      return html`<${Tasks} />`;
    case 'notifications':
      return html`<${Notifications} live=${live} />`;
    default:
      return html`<section class="card">
        <h2>Not found</h2>
        <p>There is no page here.</p>
      </section>`;
  }
}

function Shell({ session }) {
  const route = useRoute();
  const [live, setLive] = useState([]);
  const roles = session.user?.roles ?? [];
  useEffect(() => streamNotifications((n) => setLive((all) => [n, ...all].slice(0, 50))), [session.user?.id]);
  const active = route.name || homeFor(roles);
  return html`<div class="shell">
    <header class="top">
      <a class="brand" href="#/">Portico</a>
      <nav aria-label="Sections">
        ${navFor(roles).map(
          ([name, label]) =>
            html`<a href=${`#/${name}`} class=${active === name ? 'active' : ''}
              >${label}${
                name === 'notifications' && live.length
                  ? html` <span class="count" data-testid="live-count">${live.length}</span>`
                  : null
              }</a
            >`,
        )}
      </nav>
      <div class="who">
        <span data-testid="who">${session.user?.full_name ?? session.user?.email}</span>
        <span class="muted small">${roles.join(', ')}</span>
        <button class="link" onClick=${() => signOut().then(() => go(''))}>Sign out</button>
      </div>
    </header>
    ${live[0] ? html`<p class="toast" role="status" data-testid="toast">${live[0].title}</p>` : null}
    <main class="content"><${View} route=${route} roles=${roles} live=${live} /></main>
  </div>`;
}

function App() {
  const [session, setSession] = useState(currentSession());
  useEffect(() => onSessionChange(setSession), []);
  return session ? html`<${Shell} session=${session} />` : html`<${SignIn} />`;
}

const root = document.getElementById('app');
root.textContent = ''; // the "Loading…" line the page shows until this module runs
render(html`<${App} />`, root);
