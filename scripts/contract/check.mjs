// Contract check: validates the responses the integration suite received
// (recorded by test/support/record.c, one JSON line each) against the OpenAPI
// document. Run it through scripts/contract-check.sh.
//
//   node scripts/contract/check.mjs [--spec api/openapi.yaml] RECORD_FILE...
//
// Each response is matched to an operation by method and path template
// (literal segments win over {params}; HEAD is checked as the GET without its
// body). Requests the paths do not declare are checked against the
// document's `x-undeclared-requests`: OPTIONS on a declared path (a CORS
// preflight, or plain), whose Allow or Access-Control-Allow-Methods must list
// the path's methods; a method the path does not serve (405, with an Allow
// that lists them); a path the document does not have (404). Then, for every
// response:
//   * the status is declared (exact code, an `NXX` range, or `default`);
//   * its Content-Type (parameters ignored) is declared for that status, and
//     there is a body exactly when content is declared;
//   * a JSON body validates against the schema (JSON Schema 2020-12, formats
//     checked); a problem's `status` member equals the HTTP status;
//   * headers declared `required: true`, and the ones the API promises where
//     declared (X-Request-Id, ETag, Location on 201, WWW-Authenticate on 401,
//     Retry-After on 429 and 503, Link exactly when `next_cursor` is not
//     null), are present and valid against their schema; those promised
//     headers are not sent where the response does not declare them;
//   * a query parameter the operation does not declare was refused with 400;
//   * a success answers in the type the request's Accept asked for, when the
//     response declares that type (text/csv on public lists).
// Prints each distinct mismatch once with its count and one example, then a
// summary; exits 1 when there is any mismatch, 2 when it cannot run.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;

const here = path.dirname(fileURLToPath(import.meta.url));

function usage(message) {
  console.error(`contract-check: ${message}`);
  console.error('usage: check.mjs [--spec OPENAPI_YAML] RECORD_FILE...');
  process.exit(2);
}

let specPath = path.resolve(here, '../../api/openapi.yaml');
const recordFiles = [];
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--spec') specPath = process.argv[++i] ?? usage('--spec needs a file');
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else recordFiles.push(a);
}
if (recordFiles.length === 0) usage('no record file');

// ---- the document ---------------------------------------------------------

const doc = YAML.parse(fs.readFileSync(specPath, 'utf8'));

function pointer(ref) {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  let node = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node))
      throw new Error(`unresolved $ref ${ref}`);
    node = node[key];
  }
  return node;
}

// Follows Reference Objects (responses, parameters, headers, ...) to their target.
function deref(node) {
  const seen = new Set();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) throw new Error(`$ref cycle at ${node.$ref}`);
    seen.add(node.$ref);
    node = pointer(node.$ref);
  }
  return node;
}

// Schemas: components/schemas become one registered schema; $refs into it are
// rewritten to its id, so ajv resolves them (recursion included).
const SCHEMAS_ID = 'urn:pacto:openapi:schemas';
const SCHEMA_REF = '#/components/schemas/';
function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      if (!v.startsWith(SCHEMA_REF)) throw new Error(`schema $ref outside components/schemas: ${v}`);
      out[k] = `${SCHEMAS_ID}#/$defs/${v.slice(SCHEMA_REF.length)}`;
    } else {
      out[k] = rewriteRefs(v);
    }
  }
  return out;
}

const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
// OpenAPI's own formats and schema keywords (annotations here).
const isInt = (min, max) => ({ type: 'number', validate: (n) => Number.isInteger(n) && n >= min && n <= max });
ajv.addFormat('int32', isInt(-(2 ** 31), 2 ** 31 - 1));
ajv.addFormat('int64', isInt(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
ajv.addFormat('float', { type: 'number', validate: () => true });
ajv.addFormat('double', { type: 'number', validate: () => true });
ajv.addVocabulary(['example', 'xml', 'externalDocs', 'discriminator']);
ajv.addSchema({ $id: SCHEMAS_ID, $defs: rewriteRefs(doc.components?.schemas ?? {}) });

const validators = new Map();
function validatorFor(schema) {
  let v = validators.get(schema);
  if (!v) {
    v = ajv.compile(rewriteRefs(schema));
    validators.set(schema, v);
  }
  return v;
}

// ---- operations -----------------------------------------------------------

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const templates = Object.keys(doc.paths ?? {}).map((template) => ({
  template,
  segments: template.split('/').slice(1).map((s) => {
    const m = /^\{([^}]+)\}$/.exec(s);
    return m ? { param: m[1] } : { literal: s };
  }),
}));

// The template the path matches: literal segments win over {params}, from the left.
function matchTemplate(p) {
  const segs = p.split('/').slice(1);
  const found = [];
  for (const t of templates) {
    if (t.segments.length !== segs.length) continue;
    if (t.segments.every((s, i) => (s.param ? segs[i] !== '' : s.literal === segs[i])))
      found.push(t);
  }
  found.sort((a, b) => {
    for (let i = 0; i < a.segments.length; i++) {
      const d = (a.segments[i].param ? 1 : 0) - (b.segments[i].param ? 1 : 0);
      if (d) return d;
    }
    return 0;
  });
  return found[0];
}

function parametersOf(pathItem, op) {
  const byKey = new Map();
  for (const p of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
    const r = deref(p);
    byKey.set(`${r.in}:${r.name}`, r);
  }
  return [...byKey.values()];
}

function declaredMethods(pathItem) {
  return METHODS.filter((m) => pathItem[m]).map((m) => m.toUpperCase());
}

// What the document says about requests its paths do not declare.
const undeclared = doc['x-undeclared-requests'] ?? {};

// ---- findings -------------------------------------------------------------

const findings = new Map(); // key -> { count, example }
let checked = 0;
let affected = 0;
const exercised = new Set();

function excerpt(s, n = 300) {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function normalizePointer(p) {
  return p.replace(/\/[0-9]+(?=\/|$)/g, '/*') || '/';
}

// One line per error; the properties one object lacks are listed together.
function ajvMessages(errors) {
  const out = new Map();
  for (const e of errors) {
    const where = normalizePointer(e.instancePath);
    const schema = e.schemaPath.replace(`${SCHEMAS_ID}#/$defs/`, '');
    if (e.keyword === 'required') {
      const k = `required ${where} ${schema}`;
      const missing = out.get(k)?.missing ?? [];
      missing.push(e.params.missingProperty);
      out.set(k, { missing, text: `${where} lacks required ${missing.join(', ')} [${schema}]` });
      continue;
    }
    let m = `${where} ${e.message}`;
    if (e.keyword === 'additionalProperties') m += `: ${e.params.additionalProperty}`;
    else if (e.keyword === 'oneOf' && e.params.passingSchemas) m += ` (matches ${e.params.passingSchemas.join(' and ')})`;
    else if (e.keyword === 'enum') m += `: ${e.params.allowedValues.join(', ')}`;
    m += ` [${schema}]`;
    out.set(m, { text: m });
  }
  return [...out.values()].map((v) => v.text);
}

function checkRecord(rec) {
  const problems = [];
  const fail = (what, detail) => problems.push({ what, detail });
  const status = rec.status;
  const method = rec.method.toUpperCase();
  const headers = rec.headers ?? {};
  const body = rec.body_base64 ? Buffer.from(rec.body, 'base64').toString('latin1') : rec.body;
  // A HEAD answer is checked as the GET it stands for, without a body.
  const isHead = method === 'HEAD';
  let label;

  const t = matchTemplate(rec.path);
  if (!t) {
    label = `${method} (undeclared path)`;
    const spec = undeclared['unknown-path'];
    if (!spec || !(status === 404 || status === 405))
      fail('undocumented path', `no path of the document matches ${rec.path}`);
    else checkResponse(spec, { status, headers, body, head: isHead, fail });
    return { label, problems };
  }
  const pathItem = deref(doc.paths[t.template]);
  let op = pathItem[method.toLowerCase()];
  const head = isHead && !op && Boolean(pathItem.get);
  if (head) op = pathItem.get;
  if (!op) {
    const allowed = declaredMethods(pathItem);
    if (method === 'OPTIONS') {
      // A preflight names the method it asks for; recordings without the
      // request's headers are told by the answer.
      const preflight = rec.request_headers
        ? 'access-control-request-method' in rec.request_headers
        : 'access-control-allow-methods' in headers || status === 403;
      const kind = preflight ? 'cors-preflight' : 'options';
      label = `OPTIONS ${t.template} (${preflight ? 'CORS preflight' : 'plain OPTIONS'})`;
      const spec = undeclared[kind];
      if (!spec) fail('undocumented OPTIONS', `the document has no x-undeclared-requests.${kind}`);
      else checkResponse(spec, { status, headers, body, fail });
      const name = preflight ? 'access-control-allow-methods' : 'allow';
      if (status >= 200 && status < 300 && headers[name] !== undefined) {
        const got = listHeader(headers[name]).filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
        const want = allowed.filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
        if (!sameSet(got, want))
          fail(`${name} differs from the path's operations`,
               `got "${headers[name]}", the path declares ${want.join(', ')}`);
      }
    } else {
      label = `${method} ${t.template} (method not declared)`;
      const spec = undeclared['unknown-method'];
      if (!spec || status !== 405)
        fail('undocumented method', `${t.template} declares ${allowed.join(', ')}; got ${status}`);
      else {
        checkResponse(spec, { status, headers, body, head: isHead, fail });
        const got = listHeader(headers.allow);
        const want = allowed.filter((m) => m !== 'OPTIONS');
        if (headers.allow !== undefined && !sameSet(got.filter((m) => m !== 'HEAD' && m !== 'OPTIONS'), want))
          fail('Allow differs from the path\'s operations',
               `got "${headers.allow}", the path declares ${want.join(', ')}`);
      }
    }
    return { label, problems };
  }

  label = `${head ? 'HEAD' : method} ${t.template}${op.operationId ? ` (${op.operationId})` : ''}`;
  exercised.add(`${head ? 'GET' : method} ${t.template}`);

  // A query parameter the operation does not declare must be refused.
  const declaredQuery = new Set(parametersOf(pathItem, op).filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of new Set(new URLSearchParams(rec.query ?? '').keys())) {
    if (!declaredQuery.has(name) && status < 400)
      fail('undeclared query parameter accepted', `"${name}" got ${status}, not 400`);
  }

  checkResponse(op, { status, headers, body, head, fail });

  // A success answers in the declared type the request's Accept prefers
  // (RFC 9110 12.5.1: the q-value of the most specific matching range).
  const accept = rec.request_headers?.accept;
  const resp = status < 300 ? responseFor(op, status) : undefined;
  if (accept && resp && !head && body.length > 0) {
    const offered = Object.keys(resp.content ?? {}).map(mediaTypeOf);
    const q = Object.fromEntries(offered.map((m) => [m, acceptQ(accept, m)]));
    const top = Math.max(...Object.values(q));
    const wanted = top > 0 ? offered.filter((m) => q[m] === top) : [];
    const got = mediaTypeOf(headers['content-type']);
    if (wanted.length && !wanted.includes(got))
      fail('Accept not honoured', `asked for ${wanted.join(', ')}, got ${got || '(no Content-Type)'}`);
  }
  return { label, problems };
}

function listHeader(v) {
  return (v ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
}

function sameSet(a, b) {
  const A = new Set(a);
  const B = new Set(b);
  return A.size === B.size && [...A].every((x) => B.has(x));
}

// Headers the API promises where a response declares them, and the statuses
// they are promised on (null: all).
const PROMISED = {
  'x-request-id': null,
  etag: null,
  location: [201],
  'www-authenticate': [401],
  'retry-after': [429, 503],
};
// Headers a response must not carry unless it declares them.
const MUST_DECLARE = [
  'etag', 'location', 'link', 'www-authenticate', 'retry-after', 'idempotent-replayed', 'allow',
  'access-control-allow-methods', 'access-control-allow-headers',
];

// The q-value an Accept header gives a media type: that of the most specific
// range matching it (type/subtype over type/* over */*), 0 when none does.
function acceptQ(accept, type) {
  const [major] = type.split('/');
  let best = -1;
  let q = 0;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity <= best) continue;
    const qp = params.find((p) => p.startsWith('q='));
    const v = qp ? Number(qp.slice(2)) : 1;
    if (!(v >= 0 && v <= 1)) continue;
    best = specificity;
    q = v;
  }
  return q;
}

function mediaTypeOf(ct) {
  return (ct ?? '').split(';')[0].trim().toLowerCase();
}

function isJson(mt) {
  return mt === 'application/json' || mt.endsWith('+json');
}

// The response object declared for the status: the exact code, else its
// `NXX` range, else `default`.
function responseFor(op, status) {
  const responses = op.responses ?? {};
  const code = String(status);
  const key = Object.keys(responses).find((k) => k === code) ??
    Object.keys(responses).find((k) => k.toUpperCase() === `${code[0]}XX`) ??
    (responses.default ? 'default' : undefined);
  return key === undefined ? undefined : deref(responses[key]);
}

// Checks a response against an operation-like object (one with `responses`).
function checkResponse(op, { status, headers, body, head = false, fail }) {
  const resp = responseFor(op, status);
  if (!resp) {
    fail('status not declared', `${status}; declared: ${Object.keys(op.responses ?? {}).join(', ')}`);
    return;
  }

  // Content.
  const content = resp.content ?? {};
  const declaredTypes = Object.keys(content);
  const ct = headers['content-type'];
  const mt = mediaTypeOf(ct);
  const hasBody = body.length > 0;
  let json;
  if (declaredTypes.length === 0) {
    if (hasBody || ct) fail('body where none is declared', `Content-Type ${ct ?? '(none)'}, ${body.length} bytes`);
  } else if (!ct) {
    if (!head || hasBody) fail('no Content-Type', `declared: ${declaredTypes.join(', ')}`);
  } else {
    const mediaKey = declaredTypes.find((k) => mediaTypeOf(k) === mt) ??
      declaredTypes.find((k) => mediaTypeOf(k) === `${mt.split('/')[0]}/*`) ??
      declaredTypes.find((k) => mediaTypeOf(k) === '*/*');
    if (!mediaKey) {
      fail('content type not declared', `${mt}; declared: ${declaredTypes.join(', ')}`);
    } else if (!head) {
      const media = content[mediaKey];
      if (!hasBody) {
        fail('empty body', `declared ${mediaKey}`);
      } else if (isJson(mt)) {
        try {
          json = JSON.parse(body);
        } catch (e) {
          fail('body is not JSON', e.message);
        }
        if (json !== undefined && media.schema) {
          const validate = validatorFor(media.schema);
          if (!validate(json)) for (const m of new Set(ajvMessages(validate.errors))) fail('body does not match the schema', m);
        }
        if (mt === 'application/problem+json' && json && typeof json === 'object' && json.status !== status)
          fail('problem status differs from the HTTP status', `its status member is ${JSON.stringify(json.status)}`);
      }
      // text/csv and other text bodies: the declared type is enough.
    }
  }

  // Headers.
  const declared = new Map();
  for (const [name, h] of Object.entries(resp.headers ?? {})) declared.set(name.toLowerCase(), deref(h));
  for (const [name, h] of declared) {
    const value = headers[name];
    const promised = name in PROMISED && (PROMISED[name] === null || PROMISED[name].includes(status));
    let required = h.required === true || promised;
    // A body streamed in chunks is digested only once sent: it has no ETag.
    if (name === 'etag' && /chunked/i.test(headers['transfer-encoding'] ?? '')) required = false;
    if (name === 'link') {
      // Present exactly when there is a next page.
      const next = json && typeof json === 'object' ? json.next_cursor : undefined;
      if (typeof next === 'string') required = true;
      else if (next === null && value !== undefined) fail('Link on the last page', `next_cursor is null, Link: ${value}`);
    }
    if (value === undefined) {
      if (required) fail('declared header missing', h.required ? `${name} (required)` : name);
      continue;
    }
    if (h.schema) {
      const schema = h.schema;
      const t = deref(schema).type;
      const candidate = (t === 'integer' || t === 'number') && /^-?[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : value;
      const validate = validatorFor(schema);
      if (!validate(candidate)) fail('header does not match its schema', `${name}: ${ajvMessages(validate.errors).join('; ')}`);
    }
  }
  for (const name of MUST_DECLARE) {
    if (headers[name] !== undefined && !declared.has(name)) fail('header sent but not declared', name);
  }
}

// ---- main -----------------------------------------------------------------

for (const file of recordFiles) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      usage(`${file}:${i + 1}: not a JSON line (${e.message})`);
    }
    checked++;
    const { label, problems } = checkRecord(rec);
    if (problems.length) affected++;
    for (const p of problems) {
      const k = `${label} → ${rec.status}: ${p.what}: ${p.detail}`;
      let f = findings.get(k);
      if (!f) {
        f = { label, status: rec.status, what: p.what, detail: p.detail, count: 0, rec };
        findings.set(k, f);
      }
      f.count++;
    }
  });
}

const sorted = [...findings.values()].sort((a, b) => a.label.localeCompare(b.label) || a.status - b.status);
for (const f of sorted) {
  const r = f.rec;
  const target = r.query ? `${r.path}?${r.query}` : r.path;
  console.log(`✗ ${f.label} → ${f.status}: ${f.what} (${f.count}×)`);
  console.log(`    ${f.detail}`);
  console.log(`    e.g. ${r.method} ${target} → ${r.status}, X-Request-Id ${r.headers?.['x-request-id'] ?? '-'}`);
  if (r.body) console.log(`    body: ${excerpt(r.body_base64 ? `(base64) ${r.body}` : r.body)}`);
}

const allOps = [];
for (const { template } of templates) {
  const item = deref(doc.paths[template]);
  for (const m of declaredMethods(item)) allOps.push(`${m} ${template}`);
}
const missed = allOps.filter((o) => !exercised.has(o));
if (missed.length) console.log(`(not exercised by the suite: ${missed.join('; ')})`);

const total = [...findings.values()].reduce((n, f) => n + f.count, 0);
const shown = path.relative(process.cwd(), specPath);
console.log(`contract: ${checked} responses checked against ${shown.startsWith('..') ? specPath : shown}, ` +
  `${total} mismatches in ${affected} responses (${findings.size} distinct)`);
process.exit(total === 0 && checked > 0 ? 0 : 1);
