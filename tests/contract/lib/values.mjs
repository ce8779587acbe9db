// Building request values from schemas: a minimal valid value when the spec
// gives no example, and invalid variants of a valid value for the negative
// cases.
//
// Everything here works on dereferenced schemas (see SpecSet.derefSchema) and
// proposes candidates only; the caller checks each candidate with the real
// validator, so a valid value that was built wrongly is reported as a spec
// problem ("add an example") and a "negative" value that the schema in fact
// accepts is dropped instead of turning into a false failure. `format` is an
// annotation in JSON Schema 2020-12, so no negative case rests on it alone.

const STRING_FORMATS = {
  'date-time': '2024-01-02T03:04:05Z',
  date: '2024-01-02',
  time: '03:04:05Z',
  duration: 'PT1S',
  uuid: '00000000-0000-4000-8000-000000000001',
  email: 'user@example.com',
  'idn-email': 'user@example.com',
  uri: 'https://example.com/x',
  'uri-reference': '/x',
  iri: 'https://example.com/x',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  byte: 'eA==',
  regex: '.*',
  'json-pointer': '/a',
};

const PATTERN_CANDIDATES = ['a', 'abc', 'A', 'ABC', '0', '1', 'a1', 'a-b', 'a_b', 'a.b', 'abc123', 'sha256:' + '0'.repeat(64), 'x'];

export function mergeAllOf(s) {
  if (!s || typeof s !== 'object' || !Array.isArray(s.allOf)) return s;
  const out = { ...s };
  delete out.allOf;
  for (const part0 of s.allOf) {
    const part = mergeAllOf(part0);
    if (!part || typeof part !== 'object') continue;
    for (const [k, v] of Object.entries(part)) {
      if (k === 'properties') out.properties = { ...(out.properties || {}), ...v };
      else if (k === 'required') out.required = [...new Set([...(out.required || []), ...v])];
      else if (!(k in out)) out[k] = v;
    }
  }
  return out;
}

export function schemaTypes(s) {
  if (!s || typeof s !== 'object') return [];
  if (Array.isArray(s.type)) return s.type;
  if (typeof s.type === 'string') return [s.type];
  if (s.properties || s.required || s.additionalProperties !== undefined) return ['object'];
  if (s.items || s.prefixItems || s.maxItems !== undefined || s.minItems !== undefined) return ['array'];
  if (s.minLength !== undefined || s.maxLength !== undefined || s.pattern || s.format in STRING_FORMATS) return ['string'];
  if (s.minimum !== undefined || s.maximum !== undefined) return ['number'];
  return [];
}

function jsonType(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function typeAllowed(types, v) {
  const t = jsonType(v);
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

function sampleNumber(s, integer) {
  let lo = s.minimum;
  if (s.exclusiveMinimum !== undefined) lo = integer ? Math.floor(s.exclusiveMinimum) + 1 : s.exclusiveMinimum + 0.5;
  let hi = s.maximum;
  if (s.exclusiveMaximum !== undefined) hi = integer ? Math.ceil(s.exclusiveMaximum) - 1 : s.exclusiveMaximum - 0.5;
  let v = lo !== undefined ? lo : (hi !== undefined && hi < 1 ? hi : 1);
  if (integer) v = Math.ceil(v);
  if (s.multipleOf) v = Math.ceil(v / s.multipleOf) * s.multipleOf;
  return v;
}

function sampleString(s) {
  let v = STRING_FORMATS[s.format] || 'x';
  if (s.pattern) {
    const re = new RegExp(s.pattern, 'u');
    if (!re.test(v)) v = PATTERN_CANDIDATES.find((c) => re.test(c)) || v;
  }
  if (s.minLength !== undefined && v.length < s.minLength) v = v + 'a'.repeat(s.minLength - v.length);
  if (s.maxLength !== undefined && v.length > s.maxLength) v = v.slice(0, s.maxLength);
  return v;
}

// A small valid value for a dereferenced schema (valid if the schema is
// simple enough; the caller verifies).
export function sampleValue(s0, depth = 0) {
  if (s0 === true || s0 === undefined || s0 === null) return {};
  const s = mergeAllOf(s0);
  if ('const' in s) return s.const;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if ('example' in s) return s.example;
  if ('default' in s) return s.default;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if (Array.isArray(s.oneOf) && s.oneOf.length) return sampleValue(s.oneOf[0], depth + 1);
  if (Array.isArray(s.anyOf) && s.anyOf.length) return sampleValue(s.anyOf[0], depth + 1);
  const type = schemaTypes(s).find((t) => t !== 'null') || (schemaTypes(s).includes('null') ? 'null' : 'object');
  switch (type) {
    case 'null': return null;
    case 'boolean': return true;
    case 'integer': return sampleNumber(s, true);
    case 'number': return sampleNumber(s, false);
    case 'string': return sampleString(s);
    case 'array': {
      if (depth > 6) return [];
      let n = Math.max(s.minItems || 0, 1);
      if (s.maxItems !== undefined) n = Math.min(n, s.maxItems);
      const items = s.prefixItems ? s.prefixItems.map((p) => sampleValue(p, depth + 1)) : [];
      while (items.length < n) items.push(sampleValue(s.items, depth + 1));
      return items;
    }
    default: {
      const out = {};
      if (depth > 6) return out;
      for (const name of s.required || []) {
        out[name] = sampleValue((s.properties || {})[name], depth + 1);
      }
      return out;
    }
  }
}

// Values of the wrong JSON type for a schema, most telling first.
function wrongTypes(types) {
  if (!types.length) return [];
  const picks = [];
  const add = (label, v) => { if (!typeAllowed(types, v)) picks.push({ label, value: v }); };
  if (types.includes('integer') && !types.includes('number')) add('a fraction for an integer', 1.5);
  add('a string', 'wrong-type');
  add('a number', 12345);
  add('a boolean', true);
  add('an array', [1]);
  add('an object', { wrong: 1 });
  return picks.slice(0, 2);
}

function notMatching(pattern) {
  const re = new RegExp(pattern, 'u');
  return ['', ' ', '!!', 'a b', '\u00e9\u00e9', '../..', 'x'.repeat(300)].find((c) => !re.test(c));
}

// Invalid replacements for one value (not checked here; see the file comment).
export function badValues(s0, current) {
  const s = mergeAllOf(s0 || {});
  const out = [];
  if (!s || typeof s !== 'object') return out;
  const types = schemaTypes(s);
  for (const w of wrongTypes(types)) out.push({ kind: 'wrong-type', label: `wrong type (${w.label})`, value: w.value });
  if (Array.isArray(s.enum) && s.enum.length) {
    const numeric = s.enum.every((e) => typeof e === 'number');
    out.push({ kind: 'enum', label: 'value outside enum', value: numeric ? Math.max(...s.enum) + 1000 : 'NOT_IN_ENUM_zz' });
  }
  if ('const' in s) out.push({ kind: 'enum', label: 'value other than const', value: typeof s.const === 'string' ? s.const + 'zz' : 'zz' });
  const integer = types.includes('integer') && !types.includes('number');
  if (s.minimum !== undefined) out.push({ kind: 'bounds', label: `below minimum ${s.minimum}`, value: s.minimum - 1 });
  if (s.maximum !== undefined) out.push({ kind: 'bounds', label: `above maximum ${s.maximum}`, value: s.maximum + 1 });
  if (s.exclusiveMinimum !== undefined) out.push({ kind: 'bounds', label: `at exclusiveMinimum ${s.exclusiveMinimum}`, value: s.exclusiveMinimum });
  if (s.exclusiveMaximum !== undefined) out.push({ kind: 'bounds', label: `at exclusiveMaximum ${s.exclusiveMaximum}`, value: s.exclusiveMaximum });
  if (s.multipleOf !== undefined && integer) {
    const base = typeof current === 'number' ? current : sampleNumber(s, true);
    out.push({ kind: 'bounds', label: `not a multiple of ${s.multipleOf}`, value: base + 1 });
  }
  // A too-long string must still fit well under the body limit, or the case
  // would test the 413 path instead of maxLength.
  if (s.maxLength !== undefined && s.maxLength < 262144) {
    out.push({ kind: 'maxLength', label: `longer than maxLength ${s.maxLength}`, value: 'a'.repeat(s.maxLength + 1) });
  }
  if (s.minLength > 0) out.push({ kind: 'bounds', label: `shorter than minLength ${s.minLength}`, value: 'a'.repeat(s.minLength - 1) });
  if (s.pattern) {
    const v = notMatching(s.pattern);
    if (v !== undefined) out.push({ kind: 'pattern', label: `not matching pattern ${s.pattern}`, value: v });
  }
  if (s.maxItems !== undefined && s.maxItems < 10000) {
    const item = Array.isArray(current) && current.length ? current[0] : sampleValue(s.items);
    out.push({ kind: 'maxItems', label: `more than maxItems ${s.maxItems}`, value: Array.from({ length: s.maxItems + 1 }, () => structuredClone(item)) });
  }
  if (s.minItems > 0) {
    const item = Array.isArray(current) && current.length ? current[0] : sampleValue(s.items);
    out.push({ kind: 'bounds', label: `fewer than minItems ${s.minItems}`, value: Array.from({ length: s.minItems - 1 }, () => structuredClone(item)) });
  }
  if (s.maxProperties !== undefined && s.maxProperties < 1000 && current && typeof current === 'object') {
    const v = { ...current };
    for (let i = 0; Object.keys(v).length <= s.maxProperties; i++) v[`zz${i}`] = 'x';
    out.push({ kind: 'bounds', label: `more than maxProperties ${s.maxProperties}`, value: v });
  }
  return out;
}

function escapeToken(t) {
  return String(t).replace(/~/g, '~0').replace(/\//g, '~1');
}

// Invalid variants of a valid JSON body: {kind, label, value}. Walks the
// objects and the first item of arrays that the valid body contains.
export function bodyMutations(schema, body) {
  const out = [];
  const walk = (s0, value, ptr, set, depth) => {
    const s = mergeAllOf(s0 || {});
    if (!s || typeof s !== 'object' || depth > 4) return;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const r of s.required || []) {
        if (r in value) {
          const v = { ...value };
          delete v[r];
          out.push({ kind: 'missing-required', label: `missing required ${ptr}/${escapeToken(r)}`, value: set(v) });
        }
      }
      if (s.additionalProperties === false || s.unevaluatedProperties === false) {
        out.push({ kind: 'unknown-field', label: `unknown field at ${ptr || '/'}`, value: set({ ...value, zzUnknownField: 'x' }) });
      }
      for (const [name, ps] of Object.entries(s.properties || {})) {
        const p = `${ptr}/${escapeToken(name)}`;
        const setHere = (nv) => set({ ...value, [name]: nv });
        for (const b of badValues(ps, value[name])) out.push({ kind: b.kind, label: `${p}: ${b.label}`, value: setHere(b.value) });
        if (name in value) walk(ps, value[name], p, setHere, depth + 1);
      }
    } else if (Array.isArray(value) && value.length && s.items && typeof s.items === 'object') {
      const setItem = (nv) => set([nv, ...value.slice(1)]);
      for (const b of badValues(s.items, value[0])) out.push({ kind: b.kind, label: `${ptr}/0: ${b.label}`, value: setItem(b.value) });
      walk(s.items, value[0], `${ptr}/0`, setItem, depth + 1);
    }
  };
  for (const b of badValues(schema, body)) out.push({ kind: b.kind, label: `body: ${b.label}`, value: b.value });
  walk(schema, body, '', (v) => v, 0);
  return out;
}

// Parameter values travel as text; read them back the way a server that
// honours the schema would, so the validator can judge them.
export function coerceParam(text, s0) {
  const s = mergeAllOf(s0 || {});
  const types = schemaTypes(s);
  if (types.includes('array')) {
    const parts = Array.isArray(text) ? text : String(text).split(',');
    return parts.map((p) => coerceParam(p, s.items));
  }
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.includes('null') && text === 'null') return null;
  return text;
}

// How a parameter value is written into a URL or header (style simple/form).
export function serializeParam(value) {
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (value !== null && typeof value === 'object') return Object.entries(value).flat().map(String).join(',');
  return String(value);
}
