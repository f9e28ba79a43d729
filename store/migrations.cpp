#include "store/migrations.h"

#include <ctime>
#include <optional>
#include <vector>

#include "store/pg_schema.h"

namespace fieldserve::store {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Append only: a released migration is never edited, a change is a new entry.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list{
      {1, R"sql(
CREATE TABLE centers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  time_zone TEXT NOT NULL,
  business_hours TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  account_tier TEXT NOT NULL CHECK (account_tier IN ('key', 'standard')),
  contact_name TEXT NOT NULL DEFAULT '',
  contact_phone TEXT NOT NULL DEFAULT '',
  contact_email TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE sites (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  address TEXT NOT NULL,
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  center_id INTEGER NOT NULL REFERENCES centers(id),
  center_explicit INTEGER NOT NULL DEFAULT 0,
  distance_km REAL NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sites_by_customer ON sites(customer_id, id);
CREATE INDEX sites_by_center ON sites(center_id, id);
CREATE TABLE equipment (
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  model TEXT NOT NULL,
  serial TEXT NOT NULL,
  sold_at INTEGER NOT NULL,
  installed_at INTEGER,
  warranty_months INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  UNIQUE (model, serial)
);
CREATE INDEX equipment_by_site ON equipment(site_id, id);
CREATE TABLE technicians (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  skills TEXT NOT NULL,
  home_center_id INTEGER NOT NULL REFERENCES centers(id),
  lat REAL,
  lon REAL,
  location_at INTEGER,
  shift TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  max_open_jobs INTEGER NOT NULL DEFAULT 6,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX technicians_by_center ON technicians(home_center_id, id);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  distance_km REAL NOT NULL,
  equipment_id INTEGER REFERENCES equipment(id),
  required_skills TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  reported_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  technician_id INTEGER REFERENCES technicians(id),
  assignment_locked INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  hold_reason TEXT,
  status_before_hold TEXT,
  hold_started_at INTEGER,
  paused_s INTEGER NOT NULL DEFAULT 0,
  needs_review INTEGER NOT NULL DEFAULT 0,
  dispatch_reason TEXT NOT NULL DEFAULT '',
  response_target INTEGER NOT NULL, response_due INTEGER NOT NULL,
  response_risk INTEGER NOT NULL, response_done INTEGER,
  arrival_target INTEGER NOT NULL, arrival_due INTEGER NOT NULL,
  arrival_risk INTEGER NOT NULL, arrival_done INTEGER,
  restore_target INTEGER NOT NULL, restore_due INTEGER NOT NULL,
  restore_risk INTEGER NOT NULL, restore_done INTEGER,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX jobs_by_status ON jobs(status, id);
CREATE INDEX jobs_by_technician ON jobs(technician_id, status);
CREATE INDEX jobs_by_site ON jobs(site_id, id);
CREATE INDEX jobs_by_reported ON jobs(reported_at);
CREATE TABLE job_events (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  type TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT,
  technician_id INTEGER,
  actor TEXT NOT NULL,
  source TEXT NOT NULL,
  at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_events_by_job ON job_events(job_id, id);
-- The event log is evidence for SLA disputes: the database itself refuses to rewrite it.
CREATE TRIGGER job_events_no_update BEFORE UPDATE ON job_events
  BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END;
CREATE TRIGGER job_events_no_delete BEFORE DELETE ON job_events
  BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END;
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  name TEXT NOT NULL,
  technician_id INTEGER REFERENCES technicians(id),
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  entity TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  action TEXT NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX audit_by_entity ON audit_log(entity, entity_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
      {2, R"sql(
-- The explanation of every dispatch decision (docs/decisions.md): who was considered and why.
CREATE TABLE dispatch_decisions (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  decided_at INTEGER NOT NULL,
  chosen_technician_id INTEGER,
  reason TEXT NOT NULL,
  radius_km REAL NOT NULL,
  candidates TEXT NOT NULL
);
CREATE INDEX dispatch_decisions_by_job ON dispatch_decisions(job_id, id);
-- Every change to technicians bumps a revision, so a process holding technicians in memory (the
-- dispatcher's spatial index) notices changes made by another process.
INSERT INTO settings (key, value) VALUES ('technicians_rev', '0');
CREATE TRIGGER technicians_rev_insert AFTER INSERT ON technicians BEGIN
  UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'technicians_rev';
END;
CREATE TRIGGER technicians_rev_update AFTER UPDATE ON technicians BEGIN
  UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'technicians_rev';
END;
)sql"},
      {3, R"sql(
-- Mobile sync (docs/sync-protocol.md). A random id for this database: a cursor made by another
-- database (or before a restore from elsewhere) is unknown, so the device is told to reset.
INSERT INTO settings (key, value) VALUES ('database_id', lower(hex(randomblob(8))));
INSERT INTO settings (key, value) VALUES ('sync_floor', '0');
-- The change feed. seq is taken inside the writing transaction (the triggers below run in it),
-- and SQLite has one writer, so commit order is seq order: a pull never skips a late commit.
-- AUTOINCREMENT: a seq is never reused, even after pruning.
CREATE TABLE sync_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  technician_id INTEGER NOT NULL,
  job_id INTEGER NOT NULL,
  removed TEXT CHECK (removed IN ('reassigned', 'cancelled', 'closed')),
  at INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE INDEX sync_changes_by_technician ON sync_changes(technician_id, seq);
CREATE INDEX jobs_by_equipment ON jobs(equipment_id);
ALTER TABLE job_events ADD COLUMN device_at INTEGER;  -- the device's own clock, uncorrected

-- A technician's list holds its jobs from assignment until they are closed or cancelled. The
-- job triggers compare OLD and NEW rows, so they name the statuses themselves; the triggers for
-- what a job document embeds go through this view.
CREATE VIEW device_jobs AS
  SELECT id, technician_id, site_id, equipment_id FROM jobs
  WHERE technician_id IS NOT NULL AND status IN
        ('assigned', 'accepted', 'en_route', 'on_site', 'on_hold', 'resolved', 'signed_off');
CREATE TRIGGER sync_job_insert AFTER INSERT ON jobs
WHEN NEW.technician_id IS NOT NULL AND NEW.status IN
     ('assigned', 'accepted', 'en_route', 'on_site', 'on_hold', 'resolved', 'signed_off')
BEGIN
  INSERT INTO sync_changes (technician_id, job_id) VALUES (NEW.technician_id, NEW.id);
END;
CREATE TRIGGER sync_job_update AFTER UPDATE ON jobs BEGIN
  INSERT INTO sync_changes (technician_id, job_id, removed)
  SELECT OLD.technician_id, OLD.id,
         CASE WHEN NEW.technician_id IS OLD.technician_id AND NEW.status = 'cancelled' THEN 'cancelled'
              WHEN NEW.technician_id IS OLD.technician_id AND NEW.status = 'closed' THEN 'closed'
              ELSE 'reassigned' END
  WHERE OLD.technician_id IS NOT NULL
    AND OLD.status IN ('assigned', 'accepted', 'en_route', 'on_site', 'on_hold', 'resolved', 'signed_off')
    AND (NEW.technician_id IS NOT OLD.technician_id OR NEW.status NOT IN
         ('assigned', 'accepted', 'en_route', 'on_site', 'on_hold', 'resolved', 'signed_off'));
  INSERT INTO sync_changes (technician_id, job_id)
  SELECT NEW.technician_id, NEW.id
  WHERE NEW.technician_id IS NOT NULL AND NEW.status IN
        ('assigned', 'accepted', 'en_route', 'on_site', 'on_hold', 'resolved', 'signed_off');
END;
-- Job documents embed their site, customer and equipment: an edit re-sends the open jobs.
CREATE TRIGGER sync_site_update AFTER UPDATE ON sites BEGIN
  INSERT INTO sync_changes (technician_id, job_id)
  SELECT technician_id, id FROM device_jobs WHERE site_id = NEW.id;
END;
CREATE TRIGGER sync_customer_update AFTER UPDATE ON customers BEGIN
  INSERT INTO sync_changes (technician_id, job_id)
  SELECT technician_id, id FROM device_jobs
  WHERE site_id IN (SELECT id FROM sites WHERE customer_id = NEW.id);
END;
CREATE TRIGGER sync_equipment_update AFTER UPDATE ON equipment BEGIN
  INSERT INTO sync_changes (technician_id, job_id)
  SELECT technician_id, id FROM device_jobs WHERE equipment_id = NEW.id;
END;

-- Facts from the field. Each row names the op that brought it (NULL when entered over REST).
CREATE TABLE job_notes (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  technician_id INTEGER,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  op_id TEXT
);
CREATE INDEX job_notes_by_job ON job_notes(job_id, id);
CREATE TABLE job_parts (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  technician_id INTEGER,
  part_number TEXT NOT NULL,
  qty INTEGER NOT NULL,
  signoff_id TEXT,  -- parts listed on a sign-off rather than pushed on their own
  at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  op_id TEXT
);
CREATE INDEX job_parts_by_job ON job_parts(job_id, id);
CREATE TABLE signoffs (
  id TEXT PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  technician_id INTEGER NOT NULL,
  signer_name TEXT NOT NULL,
  signer_role TEXT NOT NULL DEFAULT '',
  signed_at INTEGER NOT NULL,
  signed_at_device INTEGER NOT NULL,
  lat REAL,
  lon REAL,
  signature_png BLOB NOT NULL,
  rating INTEGER,
  comment TEXT NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL,
  op_id TEXT
);
CREATE INDEX signoffs_by_job ON signoffs(job_id);
CREATE TABLE signoff_checklist (
  signoff_id TEXT NOT NULL REFERENCES signoffs(id),
  position INTEGER NOT NULL,
  item TEXT NOT NULL,
  ok INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (signoff_id, position)
) WITHOUT ROWID;
CREATE TRIGGER signoffs_immutable BEFORE UPDATE ON signoffs
  BEGIN SELECT RAISE(ABORT, 'a sign-off is immutable once stored'); END;
CREATE TRIGGER signoffs_no_delete BEFORE DELETE ON signoffs
  BEGIN SELECT RAISE(ABORT, 'a sign-off is immutable once stored'); END;
CREATE TRIGGER sync_note_insert AFTER INSERT ON job_notes BEGIN
  INSERT INTO sync_changes (technician_id, job_id)
  SELECT technician_id, id FROM device_jobs WHERE id = NEW.job_id;
END;
CREATE TRIGGER sync_parts_insert AFTER INSERT ON job_parts BEGIN
  INSERT INTO sync_changes (technician_id, job_id)
  SELECT technician_id, id FROM device_jobs WHERE id = NEW.job_id;
END;
CREATE TRIGGER sync_signoff_insert AFTER INSERT ON signoffs BEGIN
  INSERT INTO sync_changes (technician_id, job_id)
  SELECT technician_id, id FROM device_jobs WHERE id = NEW.job_id;
END;

-- The op ledger: every pushed op's result under its op_id, written in the transaction that
-- applied it, so a resent op is answered from here and changes nothing.
CREATE TABLE sync_ops (
  op_id TEXT PRIMARY KEY,
  technician_id INTEGER NOT NULL,
  token_id INTEGER NOT NULL,
  job_id INTEGER,
  type TEXT NOT NULL,
  digest TEXT NOT NULL,
  status TEXT NOT NULL,
  code TEXT,
  message TEXT,
  device_at INTEGER,
  at INTEGER,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL
) WITHOUT ROWID;
)sql"},
      {4, R"sql(
-- SLA monitor (docs/sla.md) and reports (section 6). A target's duration is counted on its
-- calendar when it is done and kept with its verdict; the reports add durations up without
-- walking calendars. *_mark is the state the monitor last announced; sla_next_check the next
-- threshold it must look at, indexed so the ticker reads only the jobs whose time has come.
ALTER TABLE jobs ADD COLUMN response_taken INTEGER;
ALTER TABLE jobs ADD COLUMN arrival_taken INTEGER;
ALTER TABLE jobs ADD COLUMN restore_taken INTEGER;
ALTER TABLE jobs ADD COLUMN response_mark TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE jobs ADD COLUMN arrival_mark TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE jobs ADD COLUMN restore_mark TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE jobs ADD COLUMN sla_next_check INTEGER;
-- Jobs stored before this version: the monitor settles their durations and states once, at start.
UPDATE jobs SET sla_next_check = 0;
CREATE INDEX jobs_by_sla_check ON jobs(sla_next_check) WHERE sla_next_check IS NOT NULL;
-- The monitor's bookkeeping is not a change of the job: only a write that bumps the version
-- (every real change does) goes to the devices' feed.
DROP TRIGGER sync_job_update;
CREATE TRIGGER sync_job_update AFTER UPDATE OF version ON jobs BEGIN
  INSERT INTO sync_changes (technician_id, job_id, removed)
  SELECT OLD.technician_id, OLD.id,
         CASE WHEN NEW.technician_id IS OLD.technician_id AND NEW.status = 'cancelled' THEN 'cancelled'
              WHEN NEW.technician_id IS OLD.technician_id AND NEW.status = 'closed' THEN 'closed'
              ELSE 'reassigned' END
  WHERE OLD.technician_id IS NOT NULL
    AND OLD.status IN ('assigned', 'accepted', 'en_route', 'on_site', 'on_hold', 'resolved', 'signed_off')
    AND (NEW.technician_id IS NOT OLD.technician_id OR NEW.status NOT IN
         ('assigned', 'accepted', 'en_route', 'on_site', 'on_hold', 'resolved', 'signed_off'));
  INSERT INTO sync_changes (technician_id, job_id)
  SELECT NEW.technician_id, NEW.id
  WHERE NEW.technician_id IS NOT NULL AND NEW.status IN
        ('assigned', 'accepted', 'en_route', 'on_site', 'on_hold', 'resolved', 'signed_off');
END;
-- The technician report reads visits by time and jobs by when they were resolved.
CREATE INDEX job_events_on_site ON job_events(at) WHERE to_status = 'on_site';
CREATE INDEX jobs_by_restore_done ON jobs(restore_done) WHERE restore_done IS NOT NULL;
-- Unit prices for the technician report's cost per job; a part without a price is left out.
CREATE TABLE part_prices (
  part_number TEXT PRIMARY KEY,
  unit_price REAL NOT NULL CHECK (unit_price >= 0)
) WITHOUT ROWID;
)sql"},
      {5, R"sql(
-- No IN lists on the push path: SQLite builds a throwaway b-tree for a constant IN list on every
-- execution, and these run once per pushed note, part and status change. Under the push
-- benchmark that was most of a note insert's cost. The feed's CHECK constraint had one too, so
-- the feed table is rebuilt (SQLite cannot alter a CHECK), keeping every row and its sequence:
-- a number handed out once is never handed out again. legacy_alter_table lets the rename pass
-- while the triggers name a table that is momentarily gone.
PRAGMA legacy_alter_table = ON;
CREATE TABLE sync_changes_rebuilt (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  technician_id INTEGER NOT NULL,
  job_id INTEGER NOT NULL,
  removed TEXT CHECK (removed = 'reassigned' OR removed = 'cancelled' OR removed = 'closed'),
  at INTEGER NOT NULL DEFAULT (unixepoch())
);
INSERT INTO sync_changes_rebuilt (seq, technician_id, job_id, removed, at)
  SELECT seq, technician_id, job_id, removed, at FROM sync_changes;
DELETE FROM sqlite_sequence WHERE name = 'sync_changes_rebuilt';
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'sync_changes_rebuilt', seq FROM sqlite_sequence WHERE name = 'sync_changes';
DROP TABLE sync_changes;
ALTER TABLE sync_changes_rebuilt RENAME TO sync_changes;
CREATE INDEX sync_changes_by_technician ON sync_changes(technician_id, seq);
PRAGMA legacy_alter_table = OFF;
DROP VIEW device_jobs;
CREATE VIEW device_jobs AS
  SELECT id, technician_id, site_id, equipment_id FROM jobs
  WHERE technician_id IS NOT NULL AND
        (status = 'assigned'
       OR status = 'accepted'
       OR status = 'en_route'
       OR status = 'on_site'
       OR status = 'on_hold'
       OR status = 'resolved'
       OR status = 'signed_off');
DROP TRIGGER sync_job_insert;
CREATE TRIGGER sync_job_insert AFTER INSERT ON jobs
WHEN NEW.technician_id IS NOT NULL AND (NEW.status = 'assigned'
       OR NEW.status = 'accepted'
       OR NEW.status = 'en_route'
       OR NEW.status = 'on_site'
       OR NEW.status = 'on_hold'
       OR NEW.status = 'resolved'
       OR NEW.status = 'signed_off')
BEGIN
  INSERT INTO sync_changes (technician_id, job_id) VALUES (NEW.technician_id, NEW.id);
END;
DROP TRIGGER sync_job_update;
CREATE TRIGGER sync_job_update AFTER UPDATE OF version ON jobs BEGIN
  INSERT INTO sync_changes (technician_id, job_id, removed)
  SELECT OLD.technician_id, OLD.id,
         CASE WHEN NEW.technician_id IS OLD.technician_id AND NEW.status = 'cancelled' THEN 'cancelled'
              WHEN NEW.technician_id IS OLD.technician_id AND NEW.status = 'closed' THEN 'closed'
              ELSE 'reassigned' END
  WHERE OLD.technician_id IS NOT NULL AND (OLD.status = 'assigned'
       OR OLD.status = 'accepted'
       OR OLD.status = 'en_route'
       OR OLD.status = 'on_site'
       OR OLD.status = 'on_hold'
       OR OLD.status = 'resolved'
       OR OLD.status = 'signed_off')
    AND (NEW.technician_id IS NOT OLD.technician_id OR NOT (NEW.status = 'assigned'
       OR NEW.status = 'accepted'
       OR NEW.status = 'en_route'
       OR NEW.status = 'on_site'
       OR NEW.status = 'on_hold'
       OR NEW.status = 'resolved'
       OR NEW.status = 'signed_off'));
  INSERT INTO sync_changes (technician_id, job_id)
  SELECT NEW.technician_id, NEW.id
  WHERE NEW.technician_id IS NOT NULL AND (NEW.status = 'assigned'
       OR NEW.status = 'accepted'
       OR NEW.status = 'en_route'
       OR NEW.status = 'on_site'
       OR NEW.status = 'on_hold'
       OR NEW.status = 'resolved'
       OR NEW.status = 'signed_off');
END;
)sql"},
      {6, R"sql(
-- Notes and parts enter the feed from Tx::insert_note and Tx::insert_part, once per job per
-- transaction: with a trigger, every insert kept a statement journal (a page copy per table).
DROP TRIGGER IF EXISTS sync_note_insert;
DROP TRIGGER IF EXISTS sync_parts_insert;
)sql"},
      {7, R"sql(
-- A job's notes are found through runs: ids written one after another for one job in one
-- transaction (a push's notes for a job are one run). An index entry per note made every push
-- rewrite its job's index page and, as a busy job's entries grew, rebalance its neighbours: most
-- of the pages a group commit wrote. Notes stored before this version are a run each.
CREATE TABLE job_note_runs (
  job_id INTEGER NOT NULL,
  first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  PRIMARY KEY (job_id, first_id)
) WITHOUT ROWID;
INSERT INTO job_note_runs (job_id, first_id, last_id) SELECT job_id, id, id FROM job_notes;
DROP INDEX job_notes_by_job;
)sql"},
      {8, R"sql(
-- Runs are appended in the order they are written and chained per job from a head row. Keyed by
-- job, every push still rewrote its job's page of the run index, and rebalanced its neighbours as
-- a busy job's runs grew. Appending writes the table's last page only, and the heads of the jobs
-- being worked are recent job ids, which share a few pages.
CREATE TABLE note_runs (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL,
  first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  previous INTEGER  -- the job's run written before this one; NULL for its first
);
CREATE TABLE note_run_heads (
  job_id INTEGER PRIMARY KEY,
  last_run INTEGER NOT NULL
);
INSERT INTO note_runs (id, job_id, first_id, last_id, previous)
  SELECT ROW_NUMBER() OVER w, job_id, first_id, last_id,
         CASE WHEN LAG(job_id) OVER w = job_id THEN ROW_NUMBER() OVER w - 1 END
  FROM job_note_runs WINDOW w AS (ORDER BY job_id, first_id);
INSERT INTO note_run_heads (job_id, last_run) SELECT job_id, MAX(id) FROM note_runs GROUP BY job_id;
DROP TABLE job_note_runs;
)sql"},
      {9, R"sql(
-- The feed is found per technician through buckets of 1024 sequence numbers: an index led by the
-- technician made every push rewrite that technician's page of it, a page per push. Led by the
-- bucket, a commit's new entries share the last few pages. A technician's changes after a cursor
-- are one index seek per bucket since. Tx::feed_after must use this expression as written.
DROP INDEX sync_changes_by_technician;
CREATE INDEX sync_changes_by_bucket ON sync_changes((seq >> 10), technician_id);
)sql"},
      {10, R"sql(
-- Warranty (docs/after-sales.md): a job's fault code, its warranty block kept like its due
-- times (warranty_in NULL: no block), and the units' exchanges, which restart the period.
ALTER TABLE jobs ADD COLUMN fault TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN warranty_in INTEGER;
ALTER TABLE jobs ADD COLUMN warranty_basis TEXT;
ALTER TABLE jobs ADD COLUMN warranty_exchange_from INTEGER;
CREATE TABLE equipment_exchanges (
  id INTEGER PRIMARY KEY,
  equipment_id INTEGER NOT NULL REFERENCES equipment(id),
  at INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  actor TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX equipment_exchanges_by_unit ON equipment_exchanges(equipment_id, at);
)sql"},
      {11, R"sql(
-- Complaints and follow-up calls (docs/after-sales.md). The escalation index holds only open,
-- unescalated complaints: the monitor reads those whose due has passed, never a scan.
CREATE TABLE complaints (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  job_id INTEGER REFERENCES jobs(id),
  technician_id INTEGER REFERENCES technicians(id),
  channel TEXT NOT NULL,
  severity TEXT NOT NULL,
  text TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  due INTEGER NOT NULL,
  status TEXT NOT NULL,
  escalated_at INTEGER,
  answer TEXT NOT NULL DEFAULT '',
  answered_at INTEGER,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX complaints_by_status ON complaints(status, id);
CREATE INDEX complaints_by_customer ON complaints(customer_id, id);
CREATE INDEX complaints_by_technician ON complaints(technician_id, received_at)
  WHERE technician_id IS NOT NULL;
CREATE INDEX complaints_to_escalate ON complaints(due)
  WHERE status = 'open' AND escalated_at IS NULL;
CREATE INDEX complaints_open_by_due ON complaints(due, id) WHERE status = 'open';
CREATE TABLE complaint_events (
  id INTEGER PRIMARY KEY,
  complaint_id INTEGER NOT NULL REFERENCES complaints(id),
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX complaint_events_by_complaint ON complaint_events(complaint_id, id);
CREATE TRIGGER complaint_events_no_update BEFORE UPDATE ON complaint_events
  BEGIN SELECT RAISE(ABORT, 'complaint_events is append-only'); END;
CREATE TRIGGER complaint_events_no_delete BEFORE DELETE ON complaint_events
  BEGIN SELECT RAISE(ABORT, 'complaint_events is append-only'); END;
CREATE TABLE follow_ups (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL UNIQUE REFERENCES jobs(id),
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  technician_id INTEGER REFERENCES technicians(id),
  due INTEGER NOT NULL,
  status TEXT NOT NULL,
  reached INTEGER,
  satisfaction INTEGER,
  comment TEXT NOT NULL DEFAULT '',
  done_at INTEGER,
  done_by TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX follow_ups_by_status_due ON follow_ups(status, due, id);
CREATE INDEX follow_ups_by_technician ON follow_ups(technician_id, done_at)
  WHERE satisfaction IS NOT NULL;
-- The spare-parts report reads the parts recorded in its window.
CREATE INDEX job_parts_by_at ON job_parts(at);
)sql"},
      {12, R"sql(
-- The spare-parts report reads a year of parts from one index and nothing else: each part row
-- carries its job's site and whether the job is a repair (neither changes once a job exists),
-- and the few jobs whose sign-off lists parts have an index of their own.
ALTER TABLE job_parts ADD COLUMN site_id INTEGER;
ALTER TABLE job_parts ADD COLUMN repair INTEGER NOT NULL DEFAULT 0;
UPDATE job_parts SET
  site_id = (SELECT site_id FROM jobs WHERE jobs.id = job_parts.job_id),
  repair = (SELECT kind = 'repair' FROM jobs WHERE jobs.id = job_parts.job_id);
DROP INDEX job_parts_by_at;
CREATE INDEX job_parts_for_forecast
  ON job_parts(at, repair, site_id, part_number, qty, job_id, signoff_id);
CREATE INDEX job_parts_signed ON job_parts(job_id) WHERE signoff_id IS NOT NULL;
)sql"},
      {13, R"sql(
-- The technician report over a month of a large history reads the jobs resolved in its window
-- from one covering index and none of their events: each job carries its visit count and time on
-- site, worked out from its status events whenever one is written (SqlTx::finish). What each
-- job's sign-off ratings, follow-up scores and parts add is read from covering indexes too.
ALTER TABLE jobs ADD COLUMN visits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN on_site_s INTEGER NOT NULL DEFAULT 0;
WITH steps AS (
  SELECT e.job_id, e.at,
         (e.type = 'status' AND e.to_status = 'on_site' AND e.from_status IS NOT 'on_site') AS visit,
         LEAD(e.at) OVER (PARTITION BY e.job_id ORDER BY e.at, e.id) AS next_at
  FROM job_events e WHERE e.to_status IS NOT NULL AND e.type NOT LIKE 'sla%'),
per_job AS (
  SELECT job_id, SUM(visit) AS visits,
         SUM(CASE WHEN visit AND next_at IS NOT NULL THEN next_at - at ELSE 0 END) AS on_site_s
  FROM steps GROUP BY job_id)
UPDATE jobs SET visits = per_job.visits, on_site_s = per_job.on_site_s
  FROM per_job WHERE jobs.id = per_job.job_id;
DROP INDEX jobs_by_restore_done;
CREATE INDEX jobs_done_in_window ON jobs(restore_done, technician_id, response_due, response_done,
  arrival_due, arrival_done, restore_due, visits, on_site_s) WHERE restore_done IS NOT NULL;
DROP INDEX job_events_on_site;
CREATE INDEX job_events_on_site
  ON job_events(at, type, from_status, to_status, technician_id, job_id) WHERE to_status = 'on_site';
CREATE INDEX follow_ups_scored ON follow_ups(job_id, satisfaction) WHERE satisfaction IS NOT NULL;
CREATE INDEX signoffs_rated ON signoffs(job_id, rating) WHERE rating IS NOT NULL;
DROP INDEX job_parts_by_job;
CREATE INDEX job_parts_by_job ON job_parts(job_id, id, part_number, qty);
)sql"},
      {14, R"sql(
-- The staff change feed (GET /api/v1/feed): one row per job and per technician, moved to a new
-- sequence number by every change of its version, so a poll reads only what changed after its
-- cursor and each thing once. AUTOINCREMENT: a number is never handed out twice, even when the
-- newest row is the one replaced. Writers are serialised, so numbers commit in order.
CREATE TABLE staff_feed (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('job', 'technician')),
  entity_id INTEGER NOT NULL,
  UNIQUE (kind, entity_id)
);
INSERT INTO staff_feed (kind, entity_id) SELECT 'technician', id FROM technicians ORDER BY id;
INSERT INTO staff_feed (kind, entity_id) SELECT 'job', id FROM jobs ORDER BY id;
CREATE TRIGGER staff_feed_job_insert AFTER INSERT ON jobs BEGIN
  INSERT OR REPLACE INTO staff_feed (kind, entity_id) VALUES ('job', NEW.id);
END;
CREATE TRIGGER staff_feed_job_update AFTER UPDATE OF version ON jobs BEGIN
  INSERT OR REPLACE INTO staff_feed (kind, entity_id) VALUES ('job', NEW.id);
END;
CREATE TRIGGER staff_feed_technician_insert AFTER INSERT ON technicians BEGIN
  INSERT OR REPLACE INTO staff_feed (kind, entity_id) VALUES ('technician', NEW.id);
END;
CREATE TRIGGER staff_feed_technician_update AFTER UPDATE OF version ON technicians BEGIN
  INSERT OR REPLACE INTO staff_feed (kind, entity_id) VALUES ('technician', NEW.id);
END;
)sql"},
  };
  return list;
}

}  // namespace

int latest_schema_version() { return migrations().back().version; }

int migrate(Connection& conn, int up_to) {
  const bool pg = conn.dialect() == Dialect::postgresql;
  std::vector<Migration> list;
  if (pg) {
    for (const auto& m : pg_migrations()) list.push_back({m.version, m.sql});
  } else {
    list = migrations();
  }
  // PostgreSQL migrates in one transaction under the write lock (PgConnection::begin): instances
  // started together find the schema either untouched or complete, and migrate it once.
  std::optional<Transaction> whole;
  if (pg) whole.emplace(conn, true);
  conn.exec(pg ? "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                 "applied_at BIGINT NOT NULL)"
               : "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                 "applied_at INTEGER NOT NULL)");
  int current = 0;
  {
    auto q = conn.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (q->step()) current = static_cast<int>(q->get_int(0));
  }
  if (current > list.back().version) {
    throw StoreError(0, "database schema version " + std::to_string(current) +
                            " is newer than this fieldserve (" +
                            std::to_string(list.back().version) + ")");
  }
  for (const auto& m : list) {
    if (m.version <= current) continue;
    if (up_to > 0 && m.version > up_to) break;
    std::optional<Transaction> tx;
    if (!pg) tx.emplace(conn, true);
    conn.exec(m.sql);
    auto q = conn.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :at)");
    q->bind(":v", m.version).bind(":at", static_cast<std::int64_t>(std::time(nullptr))).exec();
    if (tx) tx->commit();
    current = m.version;
  }
  if (whole) whole->commit();
  return current;
}

}  // namespace fieldserve::store
