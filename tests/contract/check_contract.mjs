// The API contract, checked by tools that did not write it.
//
//   node check_contract.mjs FIELDSERVE_BINARY EXCHANGES_DIR
//
// 1. Starts the binary on 127.0.0.1 with a fresh database, reads GET /api/v1/openapi.json and
//    validates it as OpenAPI 3.0 with swagger-parser.
// 2. Reads every exchange the integration suite recorded (EXCHANGES_DIR/*.jsonl, one JSON object
//    per line: method, path, status, content_type, body, and the request body if any) and checks
//    each against the document: the route must be in it, the status among the route's answers,
//    the content type and the body as the document says (ajv with ajv-formats). And the other
//    way: a request the server accepted (2xx) must fit the document too, its query parameters
//    and its body; a server more lenient than its document is drift as well. Any exchange that
//    does not fit fails the check, with the route, the status and ajv's own words.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const [binary, exchangesDir] = process.argv.slice(2);
if (!binary || !exchangesDir) {
  console.error('usage: node check_contract.mjs FIELDSERVE_BINARY EXCHANGES_DIR');
  process.exit(2);
}

async function fetchDocument() {
  const dir = mkdtempSync(join(tmpdir(), 'fieldserve-contract-'));
  const db = join(dir, 'contract.db');
  const portFile = join(dir, 'port');
  execFileSync(binary, ['init', '--db', db], { stdio: ['ignore', 'ignore', 'ignore'] });
  const server = spawn(binary, ['serve', '--db', db, '--port', '0', '--port-file', portFile],
                       { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; i < 100 && !(existsSync(portFile) && readFileSync(portFile, 'utf8')); ++i) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const port = readFileSync(portFile, 'utf8').trim();
    // A connection of its own that is closed after the answer, so the server stops at once.
    const text = await new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/api/v1/openapi.json', agent: false,
            headers: { connection: 'close' } }, (answer) => {
        if (answer.statusCode !== 200) {
          reject(new Error(`GET /api/v1/openapi.json answered ${answer.statusCode}`));
        }
        let body = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk) => { body += chunk; });
        answer.on('end', () => resolve(body));
      }).on('error', reject);
    });
    return JSON.parse(text);
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.on('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

// A path template as a regular expression: /api/v1/jobs/{id} matches /api/v1/jobs/12.
function operationsOf(document) {
  const operations = [];
  for (const [template, item] of Object.entries(document.paths)) {
    const pattern = new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$');
    for (const [method, operation] of Object.entries(item)) {
      operations.push({ template, pattern, method: method.toUpperCase(), operation,
                        literal: !template.includes('{') });
    }
  }
  // A literal path wins over a template that also matches (/jobs/optimize vs /jobs/{id}).
  operations.sort((a, b) => Number(b.literal) - Number(a.literal));
  return operations;
}

function readExchanges(dir) {
  if (!existsSync(dir)) return [];
  const exchanges = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim()) exchanges.push(JSON.parse(line));
    }
  }
  return exchanges;
}

function pointer(...parts) {
  return parts.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

// A body schema that names nothing about the body: {"type": "object"} alone.
function untyped(schema) {
  return schema && schema.type === 'object' && !schema.properties && !schema.$ref &&
         !schema.allOf && !schema.items;
}

const document = await fetchDocument();
await SwaggerParser.validate(structuredClone(document));
const untypedOperations = [];
for (const o of operationsOf(document)) {
  const bodies = [];
  const request = o.operation.requestBody?.content?.['application/json']?.schema;
  if (request) bodies.push(request);
  for (const [status, response] of Object.entries(o.operation.responses ?? {})) {
    if (status.startsWith('2')) {
      const schema = response.content?.['application/json']?.schema;
      if (schema) bodies.push(schema);
    }
  }
  if (bodies.some(untyped)) untypedOperations.push(`${o.method} ${o.template}`);
}
const total = operationsOf(document).length;
console.log(`document: valid OpenAPI ${document.openapi}, ${total} operations, ` +
            `${total - untypedOperations.length} with typed request and response bodies`);
if (untypedOperations.length) console.log(`untyped: ${untypedOperations.join(', ')}`);

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, 'openapi.json');
const validators = new Map();
function validatorFor(ref) {
  if (!validators.has(ref)) validators.set(ref, ajv.compile({ $ref: ref }));
  return validators.get(ref);
}

// Query parameters arrive as text: a second ajv coerces them to the documented types.
const coercing = new Ajv({ strict: false, allErrors: true, coerceTypes: true });
addFormats(coercing);
let acceptedRequests = 0;
function checkAcceptedRequest(x, found, where) {
  ++acceptedRequests;
  const problems = [];
  const query = new URLSearchParams(x.path.includes('?') ? x.path.split('?')[1] : '');
  const declared = (found.operation.parameters ?? []).filter((p) => p.in === 'query');
  for (const [name, value] of query) {
    const parameter = declared.find((p) => p.name === name);
    if (!parameter) {
      problems.push(`query parameter ${name} is not in the document`);
      continue;
    }
    const holder = { value };
    const check = coercing.compile({ type: 'object', properties: { value: parameter.schema } });
    if (!check(holder)) problems.push(`query ${name}=${value}: ${coercing.errorsText(check.errors)}`);
  }
  const body = found.operation.requestBody?.content?.['application/json'];
  if (body && x.request !== undefined) {
    const ref = 'openapi.json#' + pointer('', 'paths', found.template, found.method.toLowerCase(),
                                          'requestBody', 'content', 'application/json', 'schema');
    const check = validatorFor(ref);
    if (!check(x.request)) problems.push(`request body: ${ajv.errorsText(check.errors)}`);
  }
  for (const p of problems) failures.push(`${where}: accepted, but ${p}`);
}

const operations = operationsOf(document);
const exchanges = readExchanges(exchangesDir);
if (exchanges.length === 0) {
  // Nothing recorded: a pass would say nothing. Run it with the integration cases (plain ctest).
  console.log(`no exchanges recorded in ${exchangesDir}: run the integration tests first`);
  process.exit(1);
}
const failures = [];
const covered = new Set();
let checkedBodies = 0;
for (const x of exchanges) {
  const path = x.path.split('?')[0];
  const found = operations.find((o) => o.method === x.method && o.pattern.test(path));
  const where = `${x.method} ${x.path} → ${x.status}`;
  if (!found) {
    // The web apps' files (served with --web, outside /api/) are not operations of the API.
    if (!path.startsWith('/api/') && x.method === 'GET' && (x.status === 200 || x.status === 304)) continue;
    // A route the server does not have answers 404 or 405 with the error shape: that answer is
    // the server's, not an operation's, so it is checked against the Error schema only.
    if (x.status === 404 || x.status === 405) {
      const check = validatorFor('openapi.json#/components/schemas/Error');
      if (!check(x.body)) failures.push(`${where}: ${ajv.errorsText(check.errors)}`);
      continue;
    }
    failures.push(`${where}: no such operation in the document`);
    continue;
  }
  covered.add(`${found.method} ${found.template}`);
  if (x.status >= 200 && x.status < 300) checkAcceptedRequest(x, found, where);
  const responses = found.operation.responses ?? {};
  const key = String(x.status) in responses ? String(x.status) : 'default';
  const response = responses[key];
  if (!response || (key === 'default' && x.status < 400)) {
    failures.push(`${where}: the document does not list this status for ${found.template}`);
    continue;
  }
  const declared = Object.keys(response.content ?? {});
  if (declared.length === 0) {
    if (x.body !== null && x.body !== undefined && x.body !== '') {
      failures.push(`${where}: the document declares no body, the server sent one`);
    }
    continue;
  }
  const type = (x.content_type ?? '').split(';')[0].trim();
  if (!declared.includes(type)) {
    failures.push(`${where}: content type ${type || '(none)'}, the document says ${declared}`);
    continue;
  }
  if (type !== 'application/json') continue;
  const ref = 'openapi.json#' +
              pointer('', 'paths', found.template, found.method.toLowerCase(), 'responses', key,
                      'content', type, 'schema');
  const check = validatorFor(ref);
  ++checkedBodies;
  if (!check(x.body)) failures.push(`${where}: ${ajv.errorsText(check.errors)}`);
}

console.log(`exchanges: ${exchanges.length} checked, ${checkedBodies} JSON bodies validated, ` +
            `${acceptedRequests} accepted requests held to the document, ` +
            `${covered.size} of ${operations.length} operations seen, ` +
            `${failures.length} not as documented`);
const uncovered = operations.map((o) => `${o.method} ${o.template}`).filter((o) => !covered.has(o));
if (uncovered.length) console.log(`operations no test exercised: ${uncovered.join(', ')}`);
for (const f of failures.slice(0, 200)) console.log(`  ${f}`);
if (failures.length > 200) console.log(`  ... and ${failures.length - 200} more`);
process.exit(failures.length === 0 ? 0 : 1);
