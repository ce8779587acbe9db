// Shown for any path the route table does not know.
import { Link, useLocation } from '../router.jsx';
import { Page } from '../ui.jsx';

export default function NotFound() {
  const { path } = useLocation();
  return (
    <Page title="Page not found">
      <p>There is no page at <code>{path}</code>.</p>
      <p><Link href="/">Go to the dashboard</Link></p>
    </Page>
  );
}
