// The contract run against one running service: every operation of its
// OpenAPI document with documented or built requests, the negative cases, and
// the probes for routes the document does not have.
//
// Each case is one check: a request, the answer we require (a status set, or
// "any documented status but not a rejection"), and the validation of the
// answer against the document (status documented, Content-Type documented,
// body valid against the schema, problem bodies consistent with the status).
// Every negative request is first proven invalid by the same validator, so a
// failure always means the service and the document disagree.

import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { SpecSet, templateMatches } from './spec.mjs';
import { Validator } from './validate.mjs';
import { sampleValue, bodyMutations, badValues, coerceParam, serializeParam, typeAllowed, schemaTypes, mergeAllOf } from './values.mjs';
import { request } from './http.mjs';
import { SERVICE_CNS, cnOf } from './pki.mjs';

const PROBE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];
// Answers a valid, authorised request must never get.
const POSITIVE_REJECTIONS = new Set([400, 401, 403, 405, 413, 415, 500]);

// Paths no service documents; a service answering anything but 404 for one
// serves an undocumented route (or normalises paths it should not).
export const PLAUSIBLE_UNDOCUMENTED = [
  '/', '/debug/pprof', '/debug/pprof/', '/debug/vars', '/v1/admin', '/v2/ping', '/v1/ping/x', '/.env',
  '/v1/metadata/../ping', '/v1/%2e%2e/v1/ping', '/.git/config', '/server-status', '/v1', '/v1/',
  '/api/v1/ping', '/openapi.json', '/swagger.json', '/index.html', '/static/../../etc/passwd',
  '/healthz/x', '/metrics/x', '/v1/ping;x=1', '/V1/PING', '/v4/index-reports', '/v1/images/scan',
];

function isJsonMedia(mt) {
  const base = mt.split(';')[0].trim().toLowerCase();
  return base === 'application/json' || base.endsWith('+json');
}

function mediaBase(ct) {
  return String(ct || '').split(';')[0].trim().toLowerCase();
}

function mediaMatches(pattern, actual) {
  const [pt, ps] = pattern.toLowerCase().split('/');
  const [at, as] = actual.split('/');
  return (pt === '*' || pt === at) && (ps === '*' || ps === as);
}

// Keeps a body snippet on one readable line of the report.
function printable(s) {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

// A parameter left out of a request on purpose (the missing-parameter case).
const OMIT = Symbol('omit');

class Recorder {
  constructor(label) {
    this.label = label;
    this.results = [];
  }

  add(name, kind, problems, ms = 0) {
    this.results.push({ name: `${this.label} ${name}`, kind, ok: problems.length === 0, problems, ms });
  }
}

export async function runContract(opts) {
  const rec = new Recorder(opts.label);
  const specs = new SpecSet();
  let base;
  let ops;
  try {
    base = specs.load(opts.specFile);
    ops = specs.operations(base);
  } catch (err) {
    rec.add('spec', 'spec', [`cannot load ${opts.specFile}: ${err.message}`]);
    return rec.results;
  }
  const run = new Run(opts, rec, specs, base);
  for (const op of ops) {
    try {
      await run.operation(op);
    } catch (err) {
      rec.add(`${op.method.toUpperCase()} ${op.path}`, 'harness', [`harness error: ${err.stack || err.message}`]);
    }
  }
  await run.undocumentedRoutes(ops);
  return rec.results;
}

class Run {
  constructor(opts, rec, specs, base) {
    this.opts = opts;
    this.rec = rec;
    this.specs = specs;
    this.base = base;
    this.validator = new Validator(specs);
    this.noCert = { ca: opts.pki.ca };
  }

  send(req) {
    return request({ port: this.opts.port, serverCN: this.opts.serverCN, timeoutMs: this.opts.timeoutMs, ...req });
  }

  // ---- checking answers -------------------------------------------------

  // Problems with a response of an operation, against what it documents.
  checkResponse(op, method, res) {
    if (res.error) return [`no answer: ${res.error}`];
    const problems = [];
    const responses = op.op.responses || {};
    const code = String(res.status);
    const key = [code, `${code[0]}XX`, `${code[0]}xx`, 'default'].find((k) => k in responses);
    if (!key) {
      problems.push(`status ${res.status} is not documented (documented: ${Object.keys(responses).join(', ')})`);
      this.checkProblemBody(res, problems);
      return problems;
    }
    const { node: entry, base: entryBase } = this.specs.resolve(responses[key], op.base);
    this.checkBody(entry, entryBase, method, res, problems);
    for (const [name, rawHeader] of Object.entries(entry.headers || {})) {
      const { node: h } = this.specs.resolve(rawHeader, entryBase);
      if (h.required && res.headers[name.toLowerCase()] === undefined) problems.push(`required header ${name} missing`);
    }
    return problems;
  }

  checkBody(entry, entryBase, method, res, problems) {
    const content = entry.content || {};
    const ct = res.headers['content-type'];
    const bodyText = res.body.toString('utf8');
    if (!Object.keys(content).length) {
      if (res.body.length && method !== 'HEAD') problems.push(`a body is sent where the response documents none: ${bodyText.slice(0, 200)}`);
      return;
    }
    if (method === 'HEAD') return;
    if (!ct) {
      problems.push(`no Content-Type (documented: ${Object.keys(content).join(', ')})`);
      return;
    }
    const actual = mediaBase(ct);
    const mt = Object.keys(content).find((k) => mediaMatches(mediaBase(k), actual));
    if (!mt) {
      problems.push(`Content-Type ${ct} is not documented (documented: ${Object.keys(content).join(', ')})`);
      return;
    }
    const { node: media, base: mediaBaseUrl } = this.specs.resolve(content[mt], entryBase);
    let value = bodyText;
    if (isJsonMedia(actual)) {
      try {
        value = JSON.parse(bodyText);
      } catch (err) {
        problems.push(`body is not JSON: ${printable(bodyText.slice(0, 200))}`);
        return;
      }
    }
    if (media.schema !== undefined) {
      try {
        for (const e of this.validator.errors(media.schema, mediaBaseUrl, value)) problems.push(`body ${e}`);
      } catch (err) {
        problems.push(`spec: response schema for ${mt}: ${err.message}`);
      }
    }
    if (actual === 'application/problem+json' && value && typeof value === 'object' && value.status !== res.status) {
      problems.push(`problem status ${value.status} differs from HTTP status ${res.status}`);
    }
  }

  // A response of a route the document lacks: a problem body, nothing else.
  checkProblemBody(res, problems) {
    const ct = mediaBase(res.headers['content-type']);
    if (ct !== 'application/problem+json') {
      problems.push(`Content-Type ${res.headers['content-type']} where application/problem+json is required`);
      return;
    }
    const p = this.specs.problemSchema(this.base);
    let value;
    try {
      value = JSON.parse(res.body.toString('utf8'));
    } catch {
      problems.push('problem body is not JSON');
      return;
    }
    if (p) for (const e of this.validator.errors(p.schema, p.base, value)) problems.push(`problem body ${e}`);
    if (value && value.status !== res.status) problems.push(`problem status ${value && value.status} differs from HTTP status ${res.status}`);
  }

  // Runs one case. `expect`: an array of statuses, or 'positive'.
  async case(op, name, kind, req, expect, { tlsFailureOk = false } = {}) {
    const method = op.method.toUpperCase();
    const t0 = Date.now();
    const res = await this.send({ method, ...req });
    const ms = Date.now() - t0;
    let problems;
    if (res.error && tlsFailureOk) {
      problems = []; // the TLS layer refusing a bad certificate is a fine answer too
    } else {
      problems = this.checkResponse(op, method, res);
      if (!res.error) {
        if (expect === 'positive') {
          if (POSITIVE_REJECTIONS.has(res.status)) problems.unshift(`a valid request was answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
        } else if (!expect.includes(res.status)) {
          problems.unshift(`expected ${expect.join(' or ')}, got ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
        }
      }
    }
    this.rec.add(`${method} ${op.path} [${name}]`, kind, problems, ms);
  }

  // ---- building requests ------------------------------------------------

  credentialsFor(op) {
    // Returns {creds} for the first alternative the harness can meet.
    const { all, problems } = this.allCredentials(op);
    if (all.length) return { creds: all[0], problems: [] };
    if (!op.security.length) return { creds: { headers: {}, tls: this.noCert, schemes: [] }, problems: [] };
    if (!problems.length) problems.push(`the harness has no credentials for any of ${JSON.stringify(op.security)}`);
    return { creds: null, problems };
  }

  // Every alternative of op.security the harness can meet, in the
  // document's order. An apiKey credential is a string, or {value, headers}
  // when the scheme also needs companion headers (a session cookie's CSRF
  // token); an apiKey in a cookie goes out as a Cookie header.
  allCredentials(op) {
    const services = op.op['x-asec-services'];
    const problems = [];
    const all = [];
    for (const alt of op.security) {
      const creds = { headers: {}, tls: this.noCert, schemes: Object.keys(alt), companions: {} };
      let ok = true;
      for (const name of Object.keys(alt)) {
        const scheme = this.specs.securityScheme(this.base, name);
        if (!scheme) {
          problems.push(`spec: security scheme ${name} is not defined in components.securitySchemes`);
          ok = false;
          continue;
        }
        if (scheme.type === 'http' && scheme.scheme.toLowerCase() === 'basic') {
          const b = this.opts.credentials.basic;
          if (!b) { ok = false; continue; }
          creds.headers.Authorization = `Basic ${Buffer.from(`${b.user}:${b.password}`).toString('base64')}`;
        } else if (scheme.type === 'http' && scheme.scheme.toLowerCase() === 'bearer') {
          const t = this.opts.credentials.bearer;
          if (!t) { ok = false; continue; }
          creds.headers.Authorization = `Bearer ${t}`;
        } else if (scheme.type === 'mutualTLS') {
          const cn = Array.isArray(services) && services.length ? cnOf(services[0]) : 'OPERATOR';
          const pair = this.opts.pki.certs[cn];
          if (!pair) { problems.push(`spec: x-asec-services names ${services[0]}, which has no certificate`); ok = false; continue; }
          creds.tls = { ca: this.opts.pki.ca, ...pair };
        } else if (scheme.type === 'apiKey') {
          const given = (this.opts.credentials.apiKeys || {})[name];
          const v = typeof given === 'string' ? given : given && given.value;
          if (!v || (scheme.in !== 'header' && scheme.in !== 'cookie')) { ok = false; continue; }
          if (scheme.in === 'cookie') creds.headers.Cookie = `${scheme.name}=${v}`;
          else creds.headers[scheme.name] = v;
          if (given.headers) {
            Object.assign(creds.headers, given.headers);
            creds.companions[name] = Object.keys(given.headers);
          }
        } else {
          ok = false;
        }
      }
      if (ok) all.push(creds);
    }
    return { all, problems };
  }

  paramValues(op, problems) {
    const out = [];
    for (const { node: p, base: pBase } of op.parameters) {
      if (p.in === 'cookie') continue;
      if (p.content) {
        problems.push(`harness: parameter ${p.name} uses content, which it does not support`);
        continue;
      }
      const examples = [];
      if ('example' in p) examples.push({ src: 'example', value: p.example });
      for (const [n, ex] of Object.entries(p.examples || {})) {
        const { node } = this.specs.resolve(ex, pBase);
        if (node && 'value' in node) examples.push({ src: `examples.${n}`, value: node.value });
      }
      const schema = p.schema || {};
      const deref = this.specs.derefSchema(schema, pBase);
      if (!examples.length && (p.required || p.in === 'path')) examples.push({ src: 'built from schema', value: sampleValue(deref) });
      const where = `${p.in} parameter ${p.name}`;
      if (!this.compiles(schema, pBase, where, problems)) continue;
      for (const ex of examples) {
        const errs = this.validator.errors(schema, pBase, coerceParam(serializeParam(ex.value), deref));
        if (errs.length) problems.push(`spec: ${where} ${ex.src} ${JSON.stringify(ex.value)} is invalid: ${errs.join('; ')}`);
      }
      out.push({ p, base: pBase, schema, deref, examples });
    }
    return out;
  }

  bodyExamples(op, problems) {
    if (!op.op.requestBody) return null;
    const { node: rb, base: rbBase } = this.specs.resolve(op.op.requestBody, op.base);
    const content = rb.content || {};
    const mt = Object.keys(content).find(isJsonMedia) || Object.keys(content)[0];
    if (!mt) return null;
    const { node: media, base: mBase } = this.specs.resolve(content[mt], rbBase);
    const schema = media.schema || {};
    const deref = this.specs.derefSchema(schema, mBase);
    const examples = [];
    // A body only the running service can make valid (a login with the
    // password the harness gave it) comes from services.mjs instead of the
    // document; it must still be valid against the document's schema.
    const given = (this.opts.bodies || {})[op.op.operationId];
    if (given) given.forEach((value, i) => examples.push({ src: `services.mjs bodies.${op.op.operationId}[${i}]`, value }));
    if (!given && 'example' in media) examples.push({ src: 'example', value: media.example });
    for (const [n, ex] of given ? [] : Object.entries(media.examples || {})) {
      const { node } = this.specs.resolve(ex, mBase);
      if (node && 'value' in node) examples.push({ src: `examples.${n}`, value: node.value });
    }
    if (!examples.length) examples.push({ src: 'built from schema', value: sampleValue(deref) });
    if (!this.compiles(schema, mBase, `request body ${mt}`, problems)) return { examples: [] };
    const valid = [];
    for (const ex of examples) {
      const errs = this.validator.errors(schema, mBase, ex.value);
      if (errs.length) {
        problems.push(`spec: request body ${ex.src} ${JSON.stringify(ex.value).slice(0, 200)} is invalid${ex.src === 'built from schema' ? ' (add an example)' : ''}: ${errs.join('; ')}`);
      } else valid.push(ex);
    }
    return { mt, schema, mBase, deref, required: !!rb.required, examples: valid, json: isJsonMedia(mt), media: Object.keys(content) };
  }

  // Compiles a schema; a schema the validator rejects is a spec problem.
  compiles(schema, base, where, problems) {
    try {
      this.validator.compile(schema, base);
      return true;
    } catch (err) {
      problems.push(`spec: ${where}: ${err.message}`);
      return false;
    }
  }

  // Every response schema must compile and every response example must be
  // valid, whether or not a case ever produces that response.
  responseSpec(op, problems) {
    for (const [code, raw] of Object.entries(op.op.responses || {})) {
      const { node: entry, base: eBase } = this.specs.resolve(raw, op.base);
      for (const [mt, rawMedia] of Object.entries(entry.content || {})) {
        const { node: media, base: mBase } = this.specs.resolve(rawMedia, eBase);
        const where = `response ${code} ${mt}`;
        if (media.schema === undefined || !this.compiles(media.schema, mBase, where, problems)) continue;
        const examples = 'example' in media ? [{ src: 'example', value: media.example }] : [];
        for (const [n, ex] of Object.entries(media.examples || {})) {
          const { node } = this.specs.resolve(ex, mBase);
          if (node && 'value' in node) examples.push({ src: `examples.${n}`, value: node.value });
        }
        for (const ex of examples) {
          const errs = this.validator.errors(media.schema, mBase, ex.value);
          if (errs.length) problems.push(`spec: ${where} ${ex.src} ${JSON.stringify(ex.value).slice(0, 200)} is invalid: ${errs.join('; ')}`);
        }
      }
    }
  }

  buildRequest(op, params, chosen, creds, body) {
    let path = op.path;
    const query = [];
    const headers = { ...creds.headers };
    for (const pv of params) {
      const { p } = pv;
      const value = Object.prototype.hasOwnProperty.call(chosen, p.name) ? chosen[p.name] : (pv.examples[0] || {}).value;
      if (value === undefined || value === OMIT) continue;
      const text = serializeParam(value);
      if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(Array.isArray(text) ? text.join(',') : text));
      else if (p.in === 'query') {
        for (const t of Array.isArray(text) ? text : [text]) query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(t)}`);
      } else if (p.in === 'header') headers[p.name] = Array.isArray(text) ? text.join(',') : text;
    }
    const req = { path: query.length ? `${path}?${query.join('&')}` : path, headers, tls: creds.tls };
    if (body !== undefined) {
      req.body = body.raw !== undefined ? body.raw : JSON.stringify(body.value);
      req.headers['Content-Type'] = body.contentType;
    }
    return req;
  }

  // ---- one operation ----------------------------------------------------

  async operation(op) {
    const title = `${op.method.toUpperCase()} ${op.path}`;
    const specProblems = [];
    const params = this.paramValues(op, specProblems);
    const body = this.bodyExamples(op, specProblems);
    this.responseSpec(op, specProblems);
    const { creds, problems: credProblems } = this.credentialsFor(op);
    this.rec.add(`${title} [spec: examples and schemas]`, 'spec', [...specProblems, ...credProblems]);
    if (!creds) return;
    // A non-JSON body (text/plain) goes out as its text, not as a JSON string.
    const jsonBody = (value) => {
      if (!body) return undefined;
      return !body.json && typeof value === 'string' ? { raw: value, contentType: body.mt } : { value, contentType: body.mt };
    };
    const firstBody = body && body.examples.length ? jsonBody(body.examples[0].value) : undefined;
    if (body && !body.examples.length) return; // reported above as a spec problem

    // Positive cases: every documented example, one varied at a time; with
    // mutual TLS, once per service allowed to call.
    await this.case(op, 'valid request', 'positive', this.buildRequest(op, params, {}, creds, firstBody), 'positive');
    for (const ex of (body ? body.examples.slice(1) : [])) {
      await this.case(op, `valid body ${ex.src}`, 'positive', this.buildRequest(op, params, {}, creds, jsonBody(ex.value)), 'positive');
    }
    for (const pv of params) {
      for (const ex of pv.examples.slice(1)) {
        await this.case(op, `valid ${pv.p.in} ${pv.p.name} ${ex.src}`, 'positive', this.buildRequest(op, params, { [pv.p.name]: ex.value }, creds, firstBody), 'positive');
      }
    }
    // The other credentials the operation accepts must work as well (a
    // session cookie with its CSRF token, where basic came first).
    for (const other of this.allCredentials(op).all.slice(1)) {
      if (other.schemes.some((s) => (this.specs.securityScheme(this.base, s) || {}).type === 'mutualTLS')) continue;
      await this.case(op, `valid request with ${other.schemes.join('+')}`, 'positive', this.buildRequest(op, params, {}, other, firstBody), 'positive');
    }
    const services = op.op['x-asec-services'];
    if (creds.schemes.some((s) => (this.specs.securityScheme(this.base, s) || {}).type === 'mutualTLS') && Array.isArray(services)) {
      for (const svc of services.slice(1)) {
        const pair = this.opts.pki.certs[cnOf(svc)];
        if (!pair) continue;
        await this.case(op, `valid request as ${cnOf(svc)}`, 'positive',
          this.buildRequest(op, params, {}, { ...creds, tls: { ca: this.opts.pki.ca, ...pair } }, firstBody), 'positive');
      }
    }

    if (body) await this.bodyNegatives(op, params, creds, body, firstBody);
    await this.paramNegatives(op, params, creds, firstBody);
    await this.securityNegatives(op, params, firstBody);
  }

  async bodyNegatives(op, params, creds, body, firstBody) {
    const r = (b) => this.buildRequest(op, params, {}, creds, b);
    if (body.json) {
      const seen = new Set();
      // Mutate every valid example: each reaches different optional parts.
      for (const m of body.examples.flatMap((ex) => bodyMutations(body.deref, ex.value))) {
        if (seen.has(m.label)) continue;
        seen.add(m.label);
        // Only requests the document itself calls invalid become cases.
        if (this.validator.valid(body.schema, body.mBase, m.value)) continue;
        await this.case(op, m.label, m.kind, r({ value: m.value, contentType: body.mt }), [400]);
      }
      await this.case(op, 'malformed JSON', 'malformed-json', r({ raw: '{"truncated": ', contentType: body.mt }), [400]);
    }
    if (body.required) await this.case(op, 'empty body', 'missing-body', r({ raw: '', contentType: body.mt }), [400]);
    const wrongType = ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']
      .find((t) => !body.media.some((m) => mediaMatches(mediaBase(m), t)));
    await this.case(op, `Content-Type ${wrongType}`, 'content-type', r({ raw: firstBody.raw ?? JSON.stringify(firstBody.value), contentType: wrongType }), [415]);
    // A file upload (a body that is not JSON) has its own limit: the
    // service's upload setting, which services.mjs states.
    const limit = body.json ? this.opts.maxBodyBytes : (this.opts.maxUploadBytes || this.opts.maxBodyBytes);
    const pad = body.json ? '{"zzPadding":"' + 'a'.repeat(limit + 65536) + '"}' : 'a'.repeat(limit + 65536);
    await this.case(op, `body over ${limit} bytes`, 'oversize', r({ raw: pad, contentType: body.mt }), [413]);
  }

  async paramNegatives(op, params, creds, firstBody) {
    for (const pv of params) {
      const { p } = pv;
      if (p.required && p.in !== 'path') {
        await this.case(op, `missing required ${p.in} parameter ${p.name}`, 'missing-param',
          this.buildRequest(op, params, { [p.name]: OMIT }, creds, firstBody), [400]);
      }
      const current = (pv.examples[0] || {}).value;
      const seen = new Set();
      for (const b of badValues(pv.deref, current)) {
        const text = serializeParam(b.value);
        const flat = Array.isArray(text) ? text.join(',') : text;
        if (!flat.length || seen.has(flat) || flat.length > 4096) continue;
        seen.add(flat);
        const read = coerceParam(text, pv.deref);
        if (this.validator.valid(pv.schema, pv.base, read)) continue;
        // On the wire "12345" is a string: a wrong-type case whose text reads
        // back as an allowed type only repeats another case under a wrong name.
        if (b.kind === 'wrong-type' && typeAllowed(schemaTypes(mergeAllOf(pv.deref)), read)) continue;
        await this.case(op, `${p.in} parameter ${p.name}: ${b.label}`, 'param',
          this.buildRequest(op, params, { [p.name]: b.value }, creds, firstBody), [400]);
      }
    }
  }

  async securityNegatives(op, params, firstBody) {
    if (!op.security.length || op.security.some((alt) => !Object.keys(alt).length)) return;
    const none = { headers: {}, tls: this.noCert, schemes: [] };
    const r = (creds) => this.buildRequest(op, params, {}, creds, firstBody);
    await this.case(op, 'no credentials', 'unauthenticated', r(none), [401]);
    const schemes = new Set(op.security.flatMap((alt) => Object.keys(alt)));
    for (const name of schemes) {
      const scheme = this.specs.securityScheme(this.base, name);
      if (!scheme) continue;
      const kind = scheme.type === 'http' ? scheme.scheme.toLowerCase() : scheme.type;
      if (kind === 'basic') {
        const user = (this.opts.credentials.basic || {}).user || 'admin';
        await this.case(op, 'wrong password', 'bad-credentials',
          r({ ...none, headers: { Authorization: `Basic ${Buffer.from(`${user}:wrong-password`).toString('base64')}` } }), [401]);
        await this.case(op, 'malformed basic credentials', 'bad-credentials', r({ ...none, headers: { Authorization: 'Basic !!not-base64!!' } }), [401]);
      } else if (kind === 'bearer') {
        await this.case(op, 'unknown bearer token', 'bad-credentials', r({ ...none, headers: { Authorization: 'Bearer not-a-valid-token' } }), [401]);
        const fakeJwt = [{ alg: 'HS256', typ: 'JWT' }, { sub: 'admin', exp: 4102444800 }]
          .map((o) => Buffer.from(JSON.stringify(o)).toString('base64url')).join('.') + '.c2lnbmF0dXJl';
        await this.case(op, 'forged bearer JWT', 'bad-credentials', r({ ...none, headers: { Authorization: `Bearer ${fakeJwt}` } }), [401]);
      } else if (kind === 'apiKey' && scheme.in === 'cookie') {
        // a cookie of the right name that names nothing, among others
        const unknown = `other=1; ${scheme.name}=${'A'.repeat(43)}`;
        await this.case(op, `unknown ${name} cookie`, 'bad-credentials', r({ ...none, headers: { Cookie: unknown } }), [401]);
        // A cookie rides along with any page's request: without its
        // companion headers (the CSRF token) it may only read.
        const alt = this.allCredentials(op).all.find((c) => c.schemes.includes(name));
        const companions = alt ? alt.companions[name] || [] : [];
        if (alt && companions.length && !['GET', 'HEAD'].includes(op.method.toUpperCase())) {
          const headers = { ...alt.headers };
          for (const h of companions) delete headers[h];
          await this.case(op, `${name} without ${companions.join(', ')}`, 'forbidden', r({ ...alt, headers }), [403]);
          const wrong = { ...alt.headers };
          for (const h of companions) wrong[h] = `${'B'.repeat(43)}`;
          await this.case(op, `${name} with a wrong ${companions.join(', ')}`, 'forbidden', r({ ...alt, headers: wrong }), [403]);
        }
      } else if (kind === 'mutualTLS') {
        await this.case(op, 'client certificate from another CA', 'bad-credentials',
          r({ ...none, tls: { ca: this.opts.pki.ca, ...this.opts.rogue } }), [401], { tlsFailureOk: true });
        const services = op.op['x-asec-services'];
        if (Array.isArray(services)) {
          const allowed = new Set(services.map(cnOf));
          const outsider = ['OPERATOR', ...SERVICE_CNS].find((cn) => !allowed.has(cn));
          if (outsider) {
            await this.case(op, `client certificate of ${outsider}, not in x-asec-services`, 'forbidden',
              r({ ...none, tls: { ca: this.opts.pki.ca, ...this.opts.pki.certs[outsider] } }), [403]);
          }
        }
      }
    }
  }

  // ---- routes the document does not have --------------------------------

  async undocumentedRoutes(ops) {
    const documented = this.specs.pathMethods(this.base);
    const greedy = new Set(ops.filter((op) => op.parameters.some(({ node: p }) => p.in === 'path' && p.allowReserved &&
      op.path.endsWith(`{${p.name}}`))).map((op) => op.path));
    const isDocumented = (path) => [...documented.keys()].some((t) => templateMatches(t, path, greedy.has(t)));
    const fill = (template) => template.replace(/\{[^}]+\}/g, 'x1');
    const probes = new Map(); // path -> methods
    const addProbe = (path, methods) => {
      if (isDocumented(path)) return;
      probes.set(path, [...new Set([...(probes.get(path) || []), ...methods])]);
    };
    for (const p of PLAUSIBLE_UNDOCUMENTED) addProbe(p, ['GET']);
    for (const t of documented.keys()) {
      const path = fill(t);
      addProbe(`${path}/`, ['GET']);
      addProbe(`${path}/zz`, ['GET']);
      addProbe(`/${path}`, ['GET']);
      addProbe(path.replace(/\/([^/]+)$/, '//$1'), ['GET']);
      if (path.toUpperCase() !== path) addProbe(path.toUpperCase(), ['GET']);
    }
    for (const file of this.opts.otherSpecFiles) {
      try {
        const other = new SpecSet();
        const ob = other.load(file);
        for (const [t, methods] of other.pathMethods(ob)) addProbe(fill(t), methods.map((m) => m.toUpperCase()));
      } catch (err) {
        this.rec.add(`probe paths of ${file}`, 'spec', [`cannot load: ${err.message}`]);
      }
    }
    for (const [path, methods] of probes) {
      for (const method of methods) {
        const res = await this.send({ method, path, headers: {}, tls: this.noCert });
        const problems = [];
        if (res.error) problems.push(`no answer: ${res.error}`);
        else {
          if (res.status !== 404) problems.push(`expected 404 for an undocumented path, got ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
          if (method !== 'HEAD') this.checkProblemBody(res, problems);
        }
        this.rec.add(`${method} ${path} [undocumented path]`, 'not-found', problems);
      }
    }
    for (const [t, methods] of documented) {
      const path = fill(t);
      const allowed = methods.map((m) => m.toUpperCase());
      for (const method of PROBE_METHODS.filter((m) => !allowed.includes(m))) {
        const res = await this.send({ method, path, headers: {}, tls: this.noCert });
        const problems = [];
        if (res.error) problems.push(`no answer: ${res.error}`);
        else {
          if (res.status !== 405) problems.push(`expected 405 for an undocumented method, got ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
          const allow = res.headers.allow;
          if (allow === undefined) problems.push('no Allow header');
          else {
            const listed = allow.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean).sort();
            if (listed.join(',') !== [...allowed].sort().join(',')) problems.push(`Allow: ${allow} but the document has ${allowed.join(', ')}`);
          }
          if (method !== 'HEAD') this.checkProblemBody(res, problems);
        }
        this.rec.add(`${method} ${t} [undocumented method]`, 'method-not-allowed', problems);
      }
    }
  }
}


// The service documents of a folder of specs (every *.yaml but the given one).
export function otherSpecs(dir, own) {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => resolve(dir, f)).filter((f) => f !== resolve(own));
}

