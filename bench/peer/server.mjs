// The benchmark peer of pacto's GET /v1/municipalities/{ibge_code} (bench/run.sh):
// Fastify, node-postgres and fast-jwt doing the same work per request as pacto.
//   - An Authorization header must carry a valid HS256 token: same secret,
//     issuer and audience as pacto (PACTO_JWT_SECRET, PACTO_JWT_ISSUER,
//     PACTO_JWT_AUDIENCE), 30 s clock tolerance; fast-jwt's token cache is on:
//     a verified token is remembered until it expires, as pacto does.
//   - The account behind it is read with pacto's query and checked as pacto's
//     session_resolve does (active, same role, municipality and area).
//   - The municipality is read with pacto's statement (the JSON built by
//     PostgreSQL) and answered as pacto renders it: the public JSON, plus
//     mayor_name and the masked mayor_cpf for the secretariat and for the
//     municipality's own mayor or representative; with ETag, X-Request-Id,
//     X-Content-Type-Options and Cache-Control: no-store.
// Accounts and municipalities are cached in process memory like pacto's caches
// (bounded Maps, cleared when full, same sizes) but without pacto's NOTIFY
// eviction: an account or municipality changed in the database stays stale
// here. One worker per core (node cluster, the primary hands connections out
// round robin); each worker has its own caches and a pool of
// PEER_DB_POOL / workers connections (pacto: one pool of 8).
// Environment: PEER_LISTEN (HOST:PORT), PACTO_DATABASE_URL, PACTO_JWT_SECRET,
// PEER_WORKERS (default: the number of cores), PEER_DB_POOL (default 8).
// SIGUSR2 makes each worker print "peer-reads PID ACCOUNTS MUNICIPALITIES",
// the database reads it made so far, so that bench/run.sh can tell that the
// measured run was served from the caches.
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import process from 'node:process';

const workers = Number(process.env.PEER_WORKERS || availableParallelism());

async function serve() {
  const { default: Fastify } = await import('fastify');
  const { default: pg } = await import('pg');
  const { createVerifier } = await import('fast-jwt');

  const [host, port] = splitListen(process.env.PEER_LISTEN || '127.0.0.1:18092');
  const verify = createVerifier({
    key: required('PACTO_JWT_SECRET'),
    algorithms: ['HS256'],
    allowedIss: process.env.PACTO_JWT_ISSUER || 'pacto',
    allowedAud: process.env.PACTO_JWT_AUDIENCE || 'pacto-api',
    requiredClaims: ['sub', 'role', 'iss', 'aud', 'iat', 'exp'],
    clockTolerance: 30000,
    cache: 50000, // verified tokens remembered, as pacto does
  });
  // Every column as text, as libpq gives it to pacto.
  const pool = new pg.Pool({
    connectionString: required('PACTO_DATABASE_URL'),
    max: Math.max(1, Math.floor(Number(process.env.PEER_DB_POOL || 8) / workers)),
    types: { getTypeParser: () => (value) => value },
  });

  // pacto's statements (lib/auth/session.c and lib/municipalities/sql.h).
  const accountQuery = {
    name: 'session_user',
    text:
      "SELECT role, coalesce(municipality_id, ''), coalesce(secretariat_area, ''),"
      + "       coalesce(cpf, ''), active"
      + '  FROM users WHERE id = $1',
    rowMode: 'array',
  };
  const municipalityQuery = {
    name: 'municipality_get',
    text:
      "SELECT json_build_object('ibge_code', m.ibge_code, 'name', m.name, 'state', s.uf,"
      + " 'state_code', s.code, 'region', s.region, 'latitude', m.latitude,"
      + " 'longitude', m.longitude, 'capital', m.capital,"
      + " 'created_at', pacto_ts(m.created_at), 'updated_at', pacto_ts(m.updated_at),"
      + " 'representative', (SELECT json_build_object('name', u.name, 'position', u.position)"
      + '                      FROM users u WHERE u.id = m.representative_id),'
      + " 'adhesions', (SELECT coalesce(json_agg(json_build_object("
      + "                   'cycle_id', c.id, 'cycle_name', c.name,"
      + "                   'status', coalesce(a.status, 'none'), 'protocol', a.protocol,"
      + "                   'signed_at', pacto_ts(a.signed_at)) ORDER BY c.id), '[]')"
      + '                 FROM cycles c'
      + '                 LEFT JOIN LATERAL (SELECT a.status, a.protocol, a.signed_at'
      + '                                      FROM adhesions a'
      + '                                     WHERE a.cycle_id = c.id'
      + '                                       AND a.municipality_id = m.ibge_code'
      + "                                     ORDER BY a.status = 'active' DESC, a.signed_at DESC"
      + '                                     LIMIT 1) a ON true'
      + '                WHERE c.state_code = m.state_code)),'
      + ' m.mayor_name, m.mayor_cpf, m.version, m.ibge_code'
      + '  FROM municipalities m JOIN states s ON s.code = m.state_code'
      + ' WHERE m.ibge_code = $1',
    rowMode: 'array',
  };

  const accounts = new BoundedCache(100000);
  const municipalities = new BoundedCache(20000);
  const reads = { accounts: 0, municipalities: 0 };
  process.on('SIGUSR2', () => {
    console.log(`peer-reads ${process.pid} ${reads.accounts} ${reads.municipalities}`);
  });

  async function account(id) {
    let a = accounts.get(id);
    if (a === undefined) {
      reads.accounts++;
      const { rows } = await pool.query({ ...accountQuery, values: [id] });
      if (rows.length !== 1) return null;
      const [role, municipalityId, area, cpf, active] = rows[0];
      a = { role, municipalityId, area, cpf, active: active === 't' };
      accounts.set(id, a);
    }
    return a;
  }

  // The caller from the Authorization header; null when it is refused.
  async function caller(authorization) {
    if (!/^bearer /i.test(authorization)) return null;
    let claims;
    try {
      claims = verify(authorization.slice(7).trimStart());
    } catch {
      return null;
    }
    if (typeof claims.sub !== 'string' || !/^[1-9][0-9]{0,17}$/.test(claims.sub)) return null;
    const a = await account(claims.sub);
    if (!a || !a.active || a.role !== claims.role
        || a.municipalityId !== (claims.municipality_id ?? '')
        || a.area !== (claims.secretariat_area ?? '')) return null;
    return a;
  }

  const app = Fastify({ logger: false, genReqId: () => randomUUID().replaceAll('-', '') });

  app.get('/v1/municipalities/:code', async (request, reply) => {
    const { authorization } = request.headers;
    let who = null;
    if (authorization !== undefined) {
      who = await caller(authorization);
      if (!who) {
        return problem(reply, request, 401, 'unauthenticated', 'Authentication required',
          'Send a valid bearer token.', { 'www-authenticate': 'Bearer error="invalid_token"' });
      }
    }
    const { code } = request.params;
    let m = code.length === 7 ? municipalities.get(code) : undefined;
    if (m === undefined) {
      reads.municipalities++;
      const { rows } = await pool.query({ ...municipalityQuery, values: [code] });
      if (rows.length !== 1) {
        return problem(reply, request, 404, 'not-found', 'Not found', 'There is nothing here.');
      }
      const [json, mayorName, mayorCpf, version, ibgeCode] = rows[0];
      m = { json, mayorName, mayorCpf, version, code: ibgeCode };
      municipalities.set(code, m);
    }
    const headers = {
      'content-type': 'application/json',
      'x-request-id': request.id,
      'x-content-type-options': 'nosniff',
      etag: `"${m.version}"`,
    };
    if (authorization !== undefined) headers['cache-control'] = 'no-store';
    return reply.code(200).headers(headers).send(render(m, who));
  });

  app.get('/readyz', async (request, reply) => {
    await pool.query('SELECT 1');
    return reply.type('application/json').send('{"status":"ok"}');
  });

  await app.listen({ host, port });
  process.on('SIGTERM', async () => {
    await app.close();
    await pool.end();
    process.exit(0);
  });
}

// pacto's render(): the public JSON, and the mayor's name and CPF (masked
// except for the mayor it belongs to) for the secretariat and the
// municipality's own mayor and representative.
function render(m, who) {
  const sees = who && (who.role === 'secretariat'
    || ((who.role === 'mayor' || who.role === 'representative') && who.municipalityId === m.code));
  if (!sees) return m.json;
  let cpf = 'null';
  if (m.mayorCpf !== null) {
    cpf = JSON.stringify(m.mayorCpf === who.cpf ? m.mayorCpf : maskCpf(m.mayorCpf));
  }
  const name = m.mayorName === null ? 'null' : JSON.stringify(m.mayorName);
  return `${m.json.slice(0, -1)}, "mayor_name" : ${name}, "mayor_cpf" : ${cpf}}`;
}

function maskCpf(digits) {
  if (!/^[0-9]{11}$/.test(digits)) return '';
  return `***.${digits.slice(3, 6)}.${digits.slice(6, 9)}-**`;
}

function problem(reply, request, status, type, title, detail, extra = {}) {
  return reply.code(status).headers({
    'content-type': 'application/problem+json',
    'x-request-id': request.id,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...extra,
  }).send(JSON.stringify({ type: `https://pacto.dev/problems/${type}`, title, status, detail }));
}

// pacto's struct cache without eviction: at most max entries, cleared when full.
class BoundedCache {
  constructor(max) {
    this.max = max;
    this.map = new Map();
  }

  get(key) { return this.map.get(key); }

  set(key, value) {
    if (this.map.size >= this.max && !this.map.has(key)) this.map.clear();
    this.map.set(key, value);
  }
}

function required(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`peer: ${name} is not set`);
    process.exit(2);
  }
  return v;
}

function splitListen(listen) {
  const i = listen.lastIndexOf(':');
  return [listen.slice(0, i), Number(listen.slice(i + 1))];
}

if (cluster.isPrimary) {
  let stopping = false;
  let listening = 0;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('listening', () => {
    listening++;
    if (listening === workers) console.log(`peer: ${workers} workers listening`);
  });
  // A worker that dies ends the peer: the benchmark must not measure fewer.
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      console.error(`peer: worker ${worker.process.pid} ended (${signal || code})`);
      stopping = true;
      for (const w of Object.values(cluster.workers)) w.kill('SIGTERM');
      process.exitCode = 1;
    }
  });
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => {
      stopping = true;
      for (const w of Object.values(cluster.workers)) w.kill('SIGTERM');
    });
  }
  process.on('SIGUSR2', () => {
    for (const w of Object.values(cluster.workers)) w.process.kill('SIGUSR2');
  });
} else {
  await serve();
}
