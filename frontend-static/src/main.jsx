// The portal's entry point: the route table, the app shell (top bar, navigation, skip link, one
// <main>) and the session gate.
//
// Ideas it rests on:
// - Every page is imported statically into one bundle: the whole portal is small, and one file
//   keeps the CSP and caching simple.
// - Without a session every path shows the login page, which returns to the path afterwards
//   through ?next=; a session that ends later is renewed in a dialog over the page (ui.jsx).
// - A page is keyed by its path, so moving to another image remounts it, while query changes
//   (search, sort, paging) keep it and only change its props.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Link, currentHref, matchRoute, navigate, useLocation } from './router.jsx';
import { currentSession, logout, onSessionChange, restoreSession } from './session.js';
import { ErrorBanner, Loading, LoginDialog, PRODUCT, Toaster, notify } from './ui.jsx';

import Login from './pages/login.jsx';
import Dashboard from './pages/dashboard.jsx';
import Images from './pages/images.jsx';
import ImagePage from './pages/image.jsx';
import Cves from './pages/cves.jsx';
import CvePage from './pages/cve.jsx';
import Scan from './pages/scan.jsx';
import Policies from './pages/policies.jsx';
import PolicyPage from './pages/policy.jsx';
import PolicyEdit from './pages/policy-edit.jsx';
import Violations from './pages/violations.jsx';
import ViolationPage from './pages/violation.jsx';
import Integrations from './pages/integrations.jsx';
import Tokens from './pages/tokens.jsx';
import System from './pages/system.jsx';
import NotFound from './pages/notfound.jsx';

export const routes = [
  { path: '/', component: Dashboard },
  { path: '/images', component: Images },
  { path: '/images/:id', component: ImagePage },
  { path: '/cves', component: Cves },
  { path: '/cves/:id', component: CvePage },
  { path: '/scan', component: Scan },
  { path: '/policies', component: Policies },
  { path: '/policies/new', component: PolicyEdit },
  { path: '/policies/:id', component: PolicyPage },
  { path: '/policies/:id/edit', component: PolicyEdit },
  { path: '/violations', component: Violations },
  { path: '/violations/:id', component: ViolationPage },
  { path: '/integrations', component: Integrations },
  { path: '/tokens', component: Tokens },
  { path: '/system', component: System },
];

const NAV = [
  { href: '/', label: 'Dashboard' },
  { href: '/images', label: 'Images' },
  { href: '/cves', label: 'CVEs' },
  { href: '/scan', label: 'Scan' },
  { href: '/policies', label: 'Policies' },
  { href: '/violations', label: 'Violations' },
  { href: '/integrations', label: 'Integrations' },
  { href: '/tokens', label: 'API tokens' },
  { href: '/system', label: 'System' },
];

function isCurrent(href, path) {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

function UserMenu({ session }) {
  const [open, setOpen] = useState(false);
  const root = useRef(null);
  useEffect(() => {
    if (!open) return undefined;
    const onDoc = (e) => {
      if (root.current && !root.current.contains(e.target)) setOpen(false);
    };
    document.addEventListener('click', onDoc);
    return () => document.removeEventListener('click', onDoc);
  }, [open]);
  const doLogout = async () => {
    setOpen(false);
    try {
      await logout();
    } catch (e) {
      notify(`Logout failed on the server: ${e.message}`, 'error');
    }
    navigate('/login', { replace: true });
  };
  return (
    <div
      class="user-menu"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          setOpen(false);
          root.current.querySelector('button').focus();
        }
      }}
    >
      <button
        type="button"
        class="user-button"
        aria-expanded={open ? 'true' : 'false'}
        aria-controls="user-menu-panel"
        onClick={() => setOpen(!open)}
      >
        <span class="visually-hidden">Account: </span>{session.user}
        <span aria-hidden="true" class="caret">▾</span>
      </button>
      <div id="user-menu-panel" class="user-panel" hidden={!open}>
        <p class="user-who">
          Logged in as <strong>{session.user}</strong>
          {session.roles && session.roles.length > 0 && <span class="muted"> ({session.roles.join(', ')})</span>}
        </p>
        <button type="button" class="btn" onClick={doLogout}>Log out</button>
      </div>
    </div>
  );
}

function Shell({ session, children, path }) {
  const [navOpen, setNavOpen] = useState(false);
  useEffect(() => setNavOpen(false), [path]);
  return (
    <div class={`shell${navOpen ? ' nav-open' : ''}`}>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <button
          type="button"
          class="menu-button"
          aria-expanded={navOpen ? 'true' : 'false'}
          aria-controls="main-nav"
          onClick={() => setNavOpen(!navOpen)}
        >
          <span aria-hidden="true" class="menu-icon" />
          Menu
        </button>
        <Link href="/" class="brand">{PRODUCT}</Link>
        <UserMenu session={session} />
      </header>
      <div class="body">
        <nav id="main-nav" class="sidenav" aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={isCurrent(n.href, path) ? 'page' : undefined}>{n.label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>{children}</main>
      </div>
      <LoginDialog />
      <Toaster />
    </div>
  );
}

function safeNext(next) {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

function App() {
  const loc = useLocation();
  const [session, setSession] = useState(currentSession());
  const [booting, setBooting] = useState(true);
  const [bootError, setBootError] = useState(null);

  useEffect(() => {
    const off = onSessionChange(setSession);
    restoreSession()
      .catch((e) => setBootError(e))
      .finally(() => setBooting(false));
    return off;
  }, []);

  useEffect(() => {
    if (booting || bootError) return;
    if (!session && loc.path !== '/login') {
      const here = currentHref();
      navigate(here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`, { replace: true });
    } else if (session && loc.path === '/login') {
      navigate(safeNext(loc.query.get('next')), { replace: true });
    }
  }, [booting, bootError, session, loc]);

  if (booting) return <main id="main" class="boot"><Loading label="Loading Alauda Security Service…" /></main>;
  if (bootError) {
    return (
      <main id="main" class="boot">
        <h1>{PRODUCT}</h1>
        <ErrorBanner error={bootError} />
        <button type="button" class="btn" onClick={() => window.location.reload()}>Try again</button>
      </main>
    );
  }
  if (!session || loc.path === '/login') {
    return (
      <>
        <main id="main" class="login-main"><Login query={loc.query} params={{}} next={safeNext(loc.query.get('next'))} /></main>
        <Toaster />
      </>
    );
  }
  const m = matchRoute(routes, loc.path);
  const Component = m ? m.route.component : NotFound;
  return (
    <Shell session={session} path={loc.path}>
      <Component key={loc.path} params={m ? m.params : {}} query={loc.query} />
    </Shell>
  );
}

const root = document.getElementById('app');
root.textContent = '';
render(<App />, root);
