// JSON Schema 2020-12 validation of OpenAPI 3.1 schemas with Ajv.
//
// OpenAPI 3.1 schemas are JSON Schema 2020-12 plus a small OpenAPI vocabulary
// (example, discriminator, xml, externalDocs) and `x-` extensions. Ajv runs in
// strict mode so a misspelt keyword (`maxLenght`) is a spec error rather than
// a silently ignored constraint; only the OpenAPI keywords and the extensions
// actually present are registered as annotations.

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const OAS_KEYWORDS = ['example', 'discriminator', 'xml', 'externalDocs'];
const INT32 = [-(2 ** 31), 2 ** 31 - 1];

export class Validator {
  constructor(specs) {
    this.specs = specs;
    this.ajv = new Ajv2020({
      strict: true,
      strictTypes: false, // `properties` without `type: object` is legal and common
      strictTuples: false,
      allErrors: true,
      validateFormats: true,
    });
    addFormats(this.ajv);
    this.ajv.addVocabulary(OAS_KEYWORDS);
    // Formats the OpenAPI Format Registry defines on top of JSON Schema's.
    this.ajv.addFormat('int32', { type: 'number', validate: (n) => Number.isInteger(n) && n >= INT32[0] && n <= INT32[1] });
    this.ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isInteger(n) });
    this.ajv.addFormat('float', { type: 'number', validate: () => true });
    this.ajv.addFormat('double', { type: 'number', validate: () => true });
    this.ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
    this.ajv.addFormat('binary', true);
    this.ajv.addFormat('password', true);
    this.cache = new Map();
  }

  _registerExtensions(node) {
    if (Array.isArray(node)) return node.forEach((n) => this._registerExtensions(n));
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith('x-') && !this.ajv.getKeyword(k)) this.ajv.addKeyword({ keyword: k });
      if (k !== 'enum' && k !== 'const' && k !== 'example' && k !== 'examples' && k !== 'default') {
        this._registerExtensions(v);
      }
    }
  }

  // Compiles (once) the schema found at `schema` in the document at `base`.
  // Throws an Error whose message names the spec problem.
  compile(schema, base) {
    const bundled = this.specs.bundleSchema(schema, base);
    const key = JSON.stringify(bundled);
    if (!this.cache.has(key)) {
      this._registerExtensions(bundled);
      try {
        this.cache.set(key, this.ajv.compile(bundled));
      } catch (err) {
        throw new Error(`schema does not compile: ${err.message}`);
      }
    }
    return this.cache.get(key);
  }

  // Returns the list of violations (empty when the value is valid).
  errors(schema, base, value) {
    const fn = this.compile(schema, base);
    if (fn(value)) return [];
    return fn.errors.map(formatError);
  }

  valid(schema, base, value) {
    return this.errors(schema, base, value).length === 0;
  }
}

function formatError(e) {
  const where = e.instancePath || '/';
  let extra = '';
  if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
    extra = ` (${e.params.additionalProperty || e.params.unevaluatedProperty})`;
  } else if (e.keyword === 'enum') {
    extra = ` (${JSON.stringify(e.params.allowedValues)})`;
  }
  return `${where} ${e.message}${extra}`;
}
