// A client driven by the OpenAPI document alone: openapi-client-axios reads GET
// /api/v1/openapi.json at run time (no code generation) and calls operations by their ids.
//
//   node client_scenario.mjs FIELDSERVE_BINARY SAMPLE_DATA_DIR
//
// Against a fresh database with the sample data, on 127.0.0.1: a dispatcher creates a job and
// reads why the engine chose its technician; that technician's tablet pulls its jobs, pushes a
// note and pulls again. Every step checks what came back; the first surprise fails the run.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { OpenAPIClientAxios } from 'openapi-client-axios';

const [binary, sampleData] = process.argv.slice(2);
if (!binary || !sampleData) {
  console.error('usage: node client_scenario.mjs FIELDSERVE_BINARY SAMPLE_DATA_DIR');
  process.exit(2);
}

function check(condition, what) {
  if (!condition) throw new Error(`expected ${what}`);
}

// Time-ordered UUID (v7), as the sync protocol asks of op ids.
function uuidv7() {
  const hex = Date.now().toString(16).padStart(12, '0');
  const rest = randomUUID().replaceAll('-', '');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${rest.slice(13, 16)}-` +
         `${((parseInt(rest[16], 16) & 0x3) | 0x8).toString(16)}${rest.slice(17, 20)}-` +
         `${rest.slice(20, 32)}`;
}

const dir = mkdtempSync(join(tmpdir(), 'fieldserve-client-'));
const db = join(dir, 'client.db');
const portFile = join(dir, 'port');
const admin = execFileSync(binary, ['init', '--db', db], { encoding: 'utf8' }).trim();
execFileSync(binary, ['import', '--db', db, sampleData], { stdio: 'ignore' });
const server = spawn(binary, ['serve', '--db', db, '--port', '0', '--port-file', portFile],
                     { stdio: ['ignore', 'ignore', 'inherit'] });
let failed = false;
try {
  for (let i = 0; i < 100 && !(existsSync(portFile) && readFileSync(portFile, 'utf8')); ++i) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const base = `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
  const clientFor = async (token) => {
    const api = new OpenAPIClientAxios({
      definition: `${base}/api/v1/openapi.json`,
      axiosConfigDefaults: { baseURL: base, headers: { Authorization: `Bearer ${token}` } },
    });
    return api.init();
  };

  const dispatcher = await clientFor(admin);
  const site = (await dispatcher.getSites({ limit: 1 })).data.items[0];
  check(site && site.id, 'a site in the sample data');
  const created = await dispatcher.postJobs(null, {
    site_id: site.id, kind: 'repair', severity: 'serious', required_skills: [],
    description: 'Compressor trips on start',
  });
  check(created.status === 201, `201 for the new job, got ${created.status}`);
  const job = created.data;
  check(job.technician_id, 'the engine to assign a technician');
  console.log(`created job ${job.id}: assigned to technician ${job.technician_id}, ` +
              `arrival due ${job.sla.arrival.due}`);

  const why = (await dispatcher.getJobsByIdCandidates({ id: job.id })).data;
  check(why.chosen_technician_id === job.technician_id, 'the decision to name the same technician');
  check(Array.isArray(why.candidates) && why.candidates.length > 0, 'the candidates considered');
  console.log(`candidates: ${why.candidates.length} considered within ${why.radius_km} km`);

  const token = (await dispatcher.postTokens(null, {
    role: 'technician', name: 'scenario tablet', technician_id: job.technician_id,
  })).data.token;
  const tablet = await clientFor(token);
  const first = (await tablet.getSyncPull({ limit: 1000 })).data;
  check(first.jobs.upserted.some((d) => d.id === job.id), 'the new job in the tablet\'s snapshot');

  const note = { op_id: uuidv7(), type: 'note', job_id: job.id, at: new Date().toISOString(),
                 payload: { text: 'arrived, checking the compressor' } };
  const pushed = (await tablet.postSyncPush(null, {
    client_time: new Date().toISOString(), ops: [note],
  })).data;
  check(pushed.results.length === 1 && pushed.results[0].status === 'applied',
        `the note applied, got ${JSON.stringify(pushed.results)}`);
  // The answer lost on the way, the tablet sends the same op again: applied once, not twice.
  const again = (await tablet.postSyncPush(null, {
    client_time: new Date().toISOString(), ops: [note],
  })).data;
  check(again.results[0].status === 'duplicate',
        `the same op sent again to be a duplicate, got ${JSON.stringify(again.results)}`);

  const next = (await tablet.getSyncPull({ cursor: first.cursor })).data;
  const doc = next.jobs.upserted.find((d) => d.id === job.id);
  check(doc && doc.notes.filter((n) => n.text === 'arrived, checking the compressor').length === 1,
        'the note once in the job document after the cursor');
  console.log(`pushed a note and pulled it back after cursor ${first.cursor}`);
  console.log('client scenario: passed');
} catch (error) {
  failed = true;
  const answer = error.response ? ` (HTTP ${error.response.status}: ` +
                                  `${JSON.stringify(error.response.data)})` : '';
  console.error(`client scenario: ${error.message}${answer}`);
} finally {
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
