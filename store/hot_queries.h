#pragma once
// Statements on the sync path whose query plans the tests pin (tests/store/store_test.cpp): a
// plan that falls back to a scan or an automatic index does not fail, it only gets slow.

#include <string>

namespace fieldserve::store {

// A job's notes: each job's runs along the chain from its head, each run a rowid range of notes.
// The job check is written `+n.job_id` so it cannot be used as an index: SQLite otherwise built
// an automatic index over every note for each query.
// `ids`: the job ids as a subquery (Connection::id_list).
inline std::string notes_of_jobs_sql(const std::string& ids) {
  return "WITH RECURSIVE chain(run) AS ("
         "  SELECT last_run FROM note_run_heads WHERE job_id IN " +
         ids +
         "  UNION ALL"
         "  SELECT r.previous FROM note_runs r JOIN chain c ON r.id = c.run"
         "  WHERE r.previous IS NOT NULL) "
         "SELECT n.id, n.job_id, n.technician_id, n.author, n.text, n.at, n.received_at, n.op_id "
         "FROM chain c JOIN note_runs r ON r.id = c.run "
         "JOIN job_notes n ON n.id BETWEEN r.first_id AND r.last_id AND +n.job_id = r.job_id "
         "ORDER BY n.job_id, n.id";
}

// The feed's index is led by (seq >> 10) (migration 9); these name that exact expression.
inline constexpr const char* kFeedAfterSql =
    "SELECT seq, job_id, removed FROM sync_changes WHERE (seq >> 10) = :bucket "
    "AND technician_id = :tech AND seq > :after ORDER BY seq LIMIT :n";
inline constexpr const char* kFeedHasAfterSql =
    "SELECT 1 FROM sync_changes WHERE (seq >> 10) = :bucket AND technician_id = :tech "
    "AND seq > :seq LIMIT 1";

}  // namespace fieldserve::store
