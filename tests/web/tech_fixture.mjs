// What the technician app's browser tests share. It imports nothing from harness.mjs, so a test
// that picks the served folder before loading the harness (tech_update) can use it too.
import assert from 'node:assert/strict';

// Technician 1's sample jobs are all closed or resolved: none can still be moved to on_site, and
// the resolved installations would go straight to signed_off. So the dispatcher gives technician
// 1 a fresh installation at the site of one of theirs (same center, skills they hold). Returns
// the new job's id and the sample installation it copied.
export async function freshInstallation(server, description) {
  const snapshot = await server.api('technician', '/api/v1/sync/pull?limit=1000');
  const known = snapshot.jobs.upserted.find((j) => j.kind === 'installation');
  assert.ok(known, 'technician 1 has an installation in the sample data');
  const created = await server.api('dispatcher', '/api/v1/jobs', {
    method: 'POST',
    body: {
      site_id: known.site.id, kind: 'installation', severity: 'general',
      required_skills: known.required_skills, auto_assign: false, description,
    },
  });
  const assigned = await server.api('dispatcher', `/api/v1/jobs/${created.id}/assign`, {
    method: 'POST', body: { technician_id: 1 },
  });
  assert.equal(assigned.technician_id, 1);
  assert.equal(assigned.status, 'assigned');
  return { jobId: created.id, known };
}

// Waits until the page has finished a sync that began after `completedBefore` syncs.
export async function waitForSyncAfter(page, completedBefore) {
  await page.waitForFunction((n) => {
    const d = document.body.dataset;
    return Number(d.syncsCompleted) > n && d.syncRunning === 'false';
  }, completedBefore, { timeout: 30_000 });
}
