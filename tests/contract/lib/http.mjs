// One HTTPS request, exactly as given: the path is sent unnormalised (so
// `/v1/metadata/../ping` reaches the server as written), every request uses a
// fresh TLS connection (client certificates differ from case to case), and the
// server must present a certificate from the installation's CA whose CN names
// the service we meant to reach.

import https from 'node:https';

const MAX_RESPONSE_BYTES = 8 << 20;

// Returns {status, headers, body: Buffer} or {error: string}; never throws.
export function request({ port, method, path, headers = {}, body, tls, serverCN, timeoutMs }) {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    let req;
    try {
      req = https.request({
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: body !== undefined ? { 'Content-Length': Buffer.byteLength(body), ...headers } : headers,
        agent: false,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        rejectUnauthorized: true,
        servername: 'localhost',
        checkServerIdentity: (_host, cert) => {
          const cn = cert && cert.subject && cert.subject.CN;
          if (serverCN && cn !== serverCN) return new Error(`server certificate CN is ${cn}, expected ${serverCN}`);
          return undefined;
        },
        timeout: timeoutMs,
      });
    } catch (err) {
      done({ error: `request not sent: ${err.message}` });
      return;
    }
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    });
    // A server may answer (413) before the whole body is written and close
    // the connection; the answer, when it arrives, wins over the write error.
    req.on('error', (err) => {
      const msg = err.code ? `${err.code}: ${err.message}` : err.message;
      setTimeout(() => done({ error: msg }), body !== undefined ? 500 : 0);
    });
    req.on('response', (res) => {
      const chunks = [];
      let size = 0;
      res.on('data', (c) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy();
          done({ error: `response body larger than ${MAX_RESPONSE_BYTES} bytes` });
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (err) => done({ error: `reading response: ${err.message}` }));
    });
    req.end(body);
  });
}
