// Loading OpenAPI 3.1 documents and following their $refs, independently of
// the project's generator.
//
// Two ideas carry this file. First, every node we hand out travels with the
// URL of the document it came from (its "base"): a path item that central.yaml
// pulls in from common.yaml keeps resolving its own `#/components/...` refs
// against common.yaml. Second, schemas are turned into one self-contained JSON
// Schema before validation: every $ref, local or into another file, is copied
// into `$defs` under a unique key and rewritten to point there, so the
// validator never needs to know about files or about OpenAPI at all.

import { readFileSync } from 'node:fs';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { basename } from 'node:path';
import YAML from 'yaml';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// Keys whose values are data, not schemas: $refs inside them are not refs.
const SCHEMA_DATA_KEYS = new Set(['example', 'examples', 'enum', 'const', 'default']);

function decodePointerToken(tok) {
  return decodeURIComponent(tok).replace(/~1/g, '/').replace(/~0/g, '~');
}

export class SpecSet {
  constructor() {
    this.docs = new Map(); // document URL (no fragment) -> parsed document
  }

  // Loads a document by file path and returns its URL (the base of its nodes).
  load(file) {
    const url = pathToFileURL(file).href;
    this._doc(url);
    return url;
  }

  _doc(url) {
    if (!this.docs.has(url)) {
      const text = readFileSync(fileURLToPath(url), 'utf8');
      // YAML 1.2 core schema: `on`/`yes` stay strings, as JSON Schema expects.
      this.docs.set(url, YAML.parse(text, { schema: 'core', maxAliasCount: 1000 }));
    }
    return this.docs.get(url);
  }

  root(base) {
    return this._doc(base);
  }

  // Splits a $ref against a base into the target document URL and pointer.
  target(ref, base) {
    const u = new URL(ref, base);
    const pointer = u.hash ? u.hash.slice(1) : '';
    u.hash = '';
    return { url: u.href, pointer };
  }

  // Returns the node at a JSON pointer inside a document.
  pointer(url, pointer) {
    let node = this._doc(url);
    if (pointer === '' || pointer === '/') return node;
    for (const raw of pointer.replace(/^\//, '').split('/')) {
      const tok = decodePointerToken(raw);
      if (node === null || typeof node !== 'object' || !(tok in node)) {
        throw new Error(`$ref target ${basename(fileURLToPath(url))}#${pointer} does not exist`);
      }
      node = node[tok];
    }
    return node;
  }

  // Follows a chain of $refs (a non-schema object: path item, parameter,
  // response, request body, example, header, security scheme).
  resolve(node, base) {
    const seen = new Set();
    while (node && typeof node === 'object' && typeof node.$ref === 'string') {
      const { url, pointer } = this.target(node.$ref, base);
      const key = `${url}#${pointer}`;
      if (seen.has(key)) throw new Error(`$ref cycle at ${node.$ref}`);
      seen.add(key);
      node = this.pointer(url, pointer);
      base = url;
    }
    return { node, base };
  }

  // Produces a self-contained JSON Schema (2020-12) for a schema node.
  bundleSchema(schema, base) {
    const defs = {};
    const keys = new Map(); // target "url#pointer" -> $defs key
    const rewrite = (node, nodeBase) => {
      if (Array.isArray(node)) return node.map((n) => rewrite(n, nodeBase));
      if (node === null || typeof node !== 'object') return node;
      const out = {};
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') {
          const { url, pointer } = this.target(v, nodeBase);
          const full = `${url}#${pointer}`;
          if (!keys.has(full)) {
            const key = `${basename(fileURLToPath(url))}${pointer}`.replace(/[^A-Za-z0-9._-]/g, '_') + `_${keys.size}`;
            keys.set(full, key);
            defs[key] = true; // placeholder: a recursive schema refers to itself
            defs[key] = rewrite(this.pointer(url, pointer), url);
          }
          out.$ref = `#/$defs/${keys.get(full)}`;
        } else if (SCHEMA_DATA_KEYS.has(k)) {
          out[k] = v;
        } else {
          out[k] = rewrite(v, nodeBase);
        }
      }
      return out;
    };
    const root = rewrite(schema === undefined ? {} : schema, base);
    if (typeof root === 'boolean') return root;
    if (Object.keys(defs).length) root.$defs = { ...(root.$defs || {}), ...defs };
    return root;
  }

  // Fully dereferences a schema for walking (generating values, mutating
  // bodies). Recursion is cut at `depth` by returning {} there.
  derefSchema(schema, base, depth = 8) {
    if (depth < 0) return {};
    const { node, base: b } = this.resolve(schema, base);
    if (node === null || typeof node !== 'object') return node;
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref') continue; // siblings of $ref already merged below
      if (SCHEMA_DATA_KEYS.has(k)) out[k] = v;
      else if (k === 'properties' || k === 'patternProperties' || k === '$defs') {
        out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, this.derefSchema(s, b, depth - 1)]));
      } else if (k === 'items' || k === 'additionalProperties' || k === 'not' || k === 'contains'
        || k === 'propertyNames' || k === 'unevaluatedProperties' || k === 'unevaluatedItems') {
        out[k] = typeof v === 'object' ? this.derefSchema(v, b, depth - 1) : v;
      } else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf' || k === 'prefixItems') {
        out[k] = v.map((s) => this.derefSchema(s, b, depth - 1));
      } else out[k] = v;
    }
    // A 3.1 schema may carry siblings beside $ref: fold the target in under them.
    if (schema && typeof schema === 'object' && schema.$ref && Object.keys(schema).length > 1) {
      const siblings = { ...schema };
      delete siblings.$ref;
      return { ...out, ...this.derefSchema(siblings, base, depth - 1) };
    }
    return out;
  }

  // Every operation of a service document, path items and parameters resolved.
  operations(base) {
    const doc = this.root(base);
    const ops = [];
    for (const [path, rawItem] of Object.entries(doc.paths || {})) {
      const { node: item, base: itemBase } = this.resolve(rawItem, base);
      const shared = (item.parameters || []).map((p) => this.resolve(p, itemBase));
      for (const method of HTTP_METHODS) {
        const op = item[method];
        if (!op) continue;
        const own = (op.parameters || []).map((p) => this.resolve(p, itemBase));
        const params = new Map();
        for (const p of [...shared, ...own]) params.set(`${p.node.in}:${p.node.name}`, p);
        ops.push({
          path,
          method,
          op,
          base: itemBase,
          parameters: [...params.values()],
          security: op.security !== undefined ? op.security : (doc.security || []),
          id: op.operationId || `${method.toUpperCase()} ${path}`,
        });
      }
    }
    return ops;
  }

  // The methods a document serves on each of its paths.
  pathMethods(base) {
    const doc = this.root(base);
    const out = new Map();
    for (const [path, rawItem] of Object.entries(doc.paths || {})) {
      const { node: item } = this.resolve(rawItem, base);
      out.set(path, HTTP_METHODS.filter((m) => item[m]));
    }
    return out;
  }

  // A security scheme by name: only the service document's own components
  // count (OpenAPI names schemes per document); a missing one is a spec error.
  securityScheme(base, name) {
    const schemes = (this.root(base).components || {}).securitySchemes || {};
    if (!(name in schemes)) return null;
    return this.resolve(schemes[name], base).node;
  }

  // The Problem schema that 404/405 answers are held to: the document's own,
  // or the first one found in a document it references.
  problemSchema(base) {
    const own = ((this.root(base).components || {}).schemas || {}).Problem;
    if (own) return { schema: own, base };
    for (const [url, doc] of this.docs) {
      const s = ((doc.components || {}).schemas || {}).Problem;
      if (s) return { schema: s, base: url };
    }
    return null;
  }
}

// Does a concrete request path match a path template such as /v1/images/{id}?
// With greedy, the template's last parameter is allowReserved: it may hold
// "/" (index report hash ids do), so anything after the literal prefix matches.
export function templateMatches(template, path, greedy = false) {
  if (greedy) {
    const prefix = template.slice(0, template.indexOf('{'));
    const rest = path.split('?')[0];
    return rest.startsWith(prefix) && rest.length > prefix.length;
  }
  const t = template.split('/');
  const p = path.split('?')[0].split('/');
  if (t.length !== p.length) return false;
  return t.every((seg, i) => {
    if (!seg.includes('{')) return seg === p[i];
    const re = new RegExp('^' + seg.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+') + '$');
    return re.test(p[i]);
  });
}
