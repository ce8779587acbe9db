// "Scan an image" (/scan): one image name in, POST /v1/images/scan, then what the scan found and a
// link to the image's page.
//
// Ideas it rests on:
// - Check what can be checked before asking central (a name, without spaces), and put central's
//   own answer about the name (a 400 naming imageName) next to the field, where the person looks.
//   Errors about the world rather than the name (registry has no such image, scanner down) go in
//   a banner with the server's detail and what to do next.
// - A scan can take a minute: the state is announced once in a polite live region ("Scanning…",
//   then the result), while the seconds counter beside it stays out of the accessibility tree so
//   screen readers are not interrupted every second.
// - Cancelling only stops waiting: central finishes the scan anyway and stores it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { post } from '../api.js';
import { Link } from '../router.jsx';
import { hasAccess } from '../session.js';
import { ErrorBanner, Field, Page, SeverityBadge, fieldErrorsFrom } from '../ui.jsx';
import { formatCvss, formatNumber, plural } from '../format.js';
import { VULN_SEVERITIES, countBySeverity, imageHref } from '../vuln-util.jsx';

const NEXT_STEP = {
  0: 'Check that central is running, then try again.',
  404: 'Check the name and the tag: the registry has no such image (or no linux/amd64 manifest).',
  422: 'The registry answered, but the image cannot be scanned as it is.',
  503: 'A service the scan needs is not available right now. Try again in a minute; System shows which one.',
};

export function validateImageName(v) {
  if (!v) return 'Enter an image name, e.g. nginx:1.25.';
  if (/\s/.test(v)) return 'An image name cannot contain spaces.';
  if (v.length > 2048) return 'An image name has at most 2,048 characters.';
  return '';
}

function Result({ image }) {
  const heading = useRef(null);
  useEffect(() => {
    if (heading.current) heading.current.focus();
  }, [image]);
  const counts = countBySeverity(image);
  const name = (image.name && image.name.fullName) || image.id;
  return (
    <section class="card v-scan-result" aria-labelledby="scan-result-h">
      <h2 id="scan-result-h" ref={heading} tabIndex={-1}>Scan result</h2>
      <dl class="dl-grid">
        <dt>Image</dt><dd><Link href={imageHref(image.id)}>{name}</Link></dd>
        <dt>Digest</dt><dd><code>{image.id}</code></dd>
        <dt>OS</dt><dd>{(image.scan && image.scan.operatingSystem) || '—'}</dd>
        <dt>Components</dt><dd>{formatNumber(image.components)}</dd>
        <dt>CVEs</dt><dd>{formatNumber(image.cves)} ({formatNumber(image.fixableCves)} fixable)</dd>
        <dt>Top CVSS</dt><dd>{formatCvss(image.topCvss)}</dd>
      </dl>
      <ul class="v-sev-counts" aria-label="Distinct CVEs by severity">
        {VULN_SEVERITIES.map(([sev]) => (
          <li key={sev}><SeverityBadge severity={sev} /> <span class="v-sev-n">{formatNumber(counts[sev])}</span></li>
        ))}
      </ul>
      <div class="form-actions">
        <Link class="btn btn-primary" href={imageHref(image.id)}>Open the image page</Link>
      </div>
    </section>
  );
}

export default function Scan({ query }) {
  const [name, setName] = useState((query && query.get('image')) || '');
  const [force, setForce] = useState(false);
  const [fieldError, setFieldError] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [scanning, setScanning] = useState('');
  const [result, setResult] = useState(null);
  const [cancelled, setCancelled] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const ctrl = useRef(null);
  const input = useRef(null);
  // Scanning stores an image: central asks Image write access. A read-only role learns so up front
  // instead of from a 403 after typing a name.
  const canScan = hasAccess('Image', 'READ_WRITE_ACCESS');

  useEffect(() => () => ctrl.current && ctrl.current.abort(), []);
  useEffect(() => {
    if (!busy) return undefined;
    const start = Date.now();
    setElapsed(0);
    const timer = setInterval(() => setElapsed(Math.floor((Date.now() - start) / 1000)), 1000);
    return () => clearInterval(timer);
  }, [busy]);

  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    const v = name.trim();
    const problem = validateImageName(v);
    setError(null);
    setCancelled(false);
    if (problem) {
      setFieldError(problem);
      if (input.current) input.current.focus();
      return;
    }
    setFieldError('');
    setResult(null);
    const c = new AbortController();
    ctrl.current = c;
    setBusy(true);
    setScanning(v);
    try {
      const image = await post('/v1/images/scan', { imageName: v, force }, { signal: c.signal });
      setResult(image);
    } catch (err) {
      if (err && err.name === 'AbortError') return;
      if (err && err.status === 400) {
        const fe = fieldErrorsFrom(err, ['imageName']);
        setFieldError(fe.imageName || err.detail || 'Central did not accept this name.');
        if (input.current) input.current.focus();
      } else {
        setError(err);
      }
    } finally {
      if (ctrl.current === c) {
        ctrl.current = null;
        setBusy(false);
      }
    }
  };

  const cancel = () => {
    if (ctrl.current) ctrl.current.abort();
    ctrl.current = null;
    setBusy(false);
    setCancelled(true);
  };

  let status = '';
  if (busy) status = `Scanning ${scanning}…`;
  else if (result) status = `Scan complete: ${plural(result.cves, 'CVE')} in ${plural(result.components, 'component')}.`;
  else if (error) status = 'The scan failed.';
  else if (cancelled) status = 'Stopped waiting for the scan.';

  return (
    <Page title="Scan an image">
      {!canScan && (
        <p class="banner banner-info" role="note">
          Your role can read images but not scan them. Ask an administrator for a role with write access to images.
        </p>
      )}
      <form class="card v-scan-form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : 'false'}>
        <Field
          label="Image name"
          error={fieldError}
          hint="As docker reads it: nginx:1.25, registry.example.com:5000/team/app:2.1 or name@sha256:…. Private registries use the credentials of their image integration."
        >
          <input
            ref={input}
            type="text"
            name="imageName"
            value={name}
            autoComplete="off"
            spellcheck={false}
            maxLength={2048}
            readOnly={busy}
            onInput={(e) => {
              setName(e.currentTarget.value);
              if (fieldError) setFieldError('');
            }}
          />
        </Field>
        <Field label="Force rescan" hint="Match again and store the result even when the image and the vulnerability data are unchanged.">
          <input type="checkbox" name="force" checked={force} disabled={busy} onChange={(e) => setForce(e.currentTarget.checked)} />
        </Field>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy || !canScan}>{busy ? 'Scanning…' : 'Scan'}</button>
          {busy && <button type="button" class="btn" onClick={cancel}>Cancel</button>}
        </div>
      </form>

      <div class="v-scan-progress">
        <p role="status" aria-live="polite" class={status ? 'v-status' : 'v-status v-status-empty'}>{status}</p>
        {busy && (
          <>
            <progress class="v-progress" aria-hidden="true" />
            <p class="muted" aria-hidden="true">{elapsed} s. Pulling the manifest, indexing the layers and matching can take a minute for a large image.</p>
          </>
        )}
        {cancelled && !busy && (
          <p class="muted">Central goes on with the scan; when it finishes, the image appears under <Link href="/images">Images</Link>.</p>
        )}
      </div>

      {error && (
        <div class="v-scan-error">
          <ErrorBanner error={error} />
          {NEXT_STEP[error.status] && (
            <p class="v-next-step">
              {NEXT_STEP[error.status]}
              {error.status === 503 && <> <Link href="/system">Open System</Link></>}
            </p>
          )}
        </div>
      )}

      {result && <Result image={result} />}
    </Page>
  );
}
