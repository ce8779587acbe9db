// The login page: the admin password or an API token opens a browser session; afterwards the
// app shell (main.jsx) returns to the page named by ?next= (only same-site paths are followed).
import { useEffect } from 'preact/hooks';
import { LoginForm, PRODUCT } from '../ui.jsx';

export default function Login({ next }) {
  useEffect(() => {
    document.title = `Log in · ${PRODUCT}`;
  }, []);
  return (
    <div class="login-page">
      <div class="login-card">
        <p class="login-brand" aria-hidden="true">{PRODUCT}</p>
        <h1>Log in</h1>
        {next && next !== '/' && <p class="muted">Log in to go on to <code>{next}</code>.</p>}
        <LoginForm />
      </div>
    </div>
  );
}
