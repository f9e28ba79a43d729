#include "store/sql_store.h"

#include "store/migrations.h"
#include "store/pg.h"
#include "store/sql_tx.h"
#include "store/sqlite.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace fieldserve::store {
namespace {

// Adds the wall time of a transaction to the store's counter for /metrics.
class DbTimer {
 public:
  explicit DbTimer(std::atomic<std::uint64_t>& sink)
      : sink_(sink), start_(std::chrono::steady_clock::now()) {}
  ~DbTimer() {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now() - start_)
                  .count();
    sink_.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
  }

 private:
  std::atomic<std::uint64_t>& sink_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

bool is_postgresql_url(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::unique_ptr<Store> Store::open(const std::string& location, int readers) {
  return is_postgresql_url(location) ? SqlStore::open_postgresql(location, readers)
                                     : SqlStore::open_sqlite(location, readers);
}

std::unique_ptr<Store> SqlStore::open_postgresql(const std::string& url, int readers) {
  std::unique_ptr<SqlStore> store(new SqlStore());
  store->url_ = url;
  store->writer_ = std::make_unique<PgConnection>(url);
  migrate(*store->writer_);
  for (int i = 0; i < readers; ++i) {
    store->readers_.push_back(std::make_unique<PgConnection>(url));
    store->idle_readers_.push_back(store->readers_.back().get());
  }
  return store;
}

std::unique_ptr<Store> SqlStore::open_sqlite(const std::string& path, int readers) {
  std::unique_ptr<SqlStore> store(new SqlStore());
  store->writer_ = std::make_unique<SqliteConnection>(path, false);
  migrate(*store->writer_);
  bool in_memory = path == ":memory:" || path.empty();
  if (!in_memory) {
    for (int i = 0; i < readers; ++i) {
      store->readers_.push_back(std::make_unique<SqliteConnection>(path, true));
      store->idle_readers_.push_back(store->readers_.back().get());
    }
  }
  return store;
}

SqlStore::~SqlStore() {
  {
    std::lock_guard lock(group_mutex_);
    stopping_ = true;
  }
  group_arrived_.notify_one();
  if (committer_.joinable()) committer_.join();
}

void SqlStore::run_read(const std::function<void(Tx&)>& body) {
  auto lease = lease_reader();
  DbTimer timer(db_ns_);
  Transaction tx(*lease.conn, false);
  SqlTx access(*lease.conn);
  body(access);
}

void SqlStore::run_write(const std::function<bool(Tx&)>& body) {
  std::lock_guard lock(writer_mutex_);
  DbTimer timer(db_ns_);
  Transaction tx(*writer_, true);
  SqlTx access(*writer_);
  if (body(access)) {
    access.finish();
    tx.commit();
    commits_.fetch_add(1, std::memory_order_relaxed);
  }
}

void SqlStore::run_grouped(const std::function<bool(Tx&)>& body) {
  GroupMember me{&body, false, nullptr, {}};
  std::unique_lock lock(group_mutex_);
  if (!committer_.joinable()) committer_ = std::thread([this] { run_committer(); });
  group_queue_.push_back(&me);
  if (group_queue_.size() == 1) group_arrived_.notify_one();
  me.wake.wait(lock, [&] { return me.done; });
  lock.unlock();
  if (me.error) std::rethrow_exception(me.error);
}

void SqlStore::run_committer() {
  // Every grouped write waits for this one thread, and under load it was runnable but not running
  // a fifth of the time, preempted by request threads it had just woken. A higher priority needs
  // CAP_SYS_NICE; without it the thread simply runs at the normal one.
  constexpr int kCommitterNice = -5;
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kCommitterNice) != 0) {
    committer_nice_ = 0;
  } else {
    committer_nice_ = kCommitterNice;
  }
  std::unique_lock lock(group_mutex_);
  for (;;) {
    group_arrived_.wait(lock, [&] { return stopping_ || !group_queue_.empty(); });
    if (group_queue_.empty()) return;  // stopping, and nobody left waiting
    // Everyone queued while the previous commit ran goes into this one.
    std::vector<GroupMember*> members;
    members.swap(group_queue_);
    lock.unlock();
    commit_group(members);
    lock.lock();
    for (auto* m : members) {
      m->done = true;
      m->wake.notify_one();
    }
  }
}

bool SqlStore::commit_group_without_savepoints(const std::vector<GroupMember*>& members) {
  Transaction tx(*writer_, true);
  SqlTx access(*writer_);
  for (auto* m : members) {
    bool keep = false;
    try {
      keep = (*m->body)(access);
    } catch (...) {
      keep = false;
    }
    if (!keep) return false;  // the transaction's destructor rolls everything back
  }
  try {
    access.finish();
  } catch (...) {
    return false;  // as if a body had failed: the fallback finds whose
  }
  tx.commit();
  return true;
}

void SqlStore::commit_group(const std::vector<GroupMember*>& members) {
  try {
    std::lock_guard lock(writer_mutex_);
    DbTimer timer(db_ns_);
    // Nearly always every body succeeds, so first run them all in one plain transaction: a
    // savepoint copies every page its body first touches into a sub-journal, and under the push
    // benchmark those copies were a large part of the writer's time. If any body fails, that
    // attempt is rolled back whole and the group runs again with a savepoint per body, so the
    // failure still undoes only its own changes. Bodies therefore must be safe to run twice: they
    // read what they need inside the transaction and keep nothing from an attempt.
    if (commit_group_without_savepoints(members)) {
      commits_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    Transaction tx(*writer_, true);
    for (auto* m : members) {
      // A Tx per body: what one body's Tx remembers must not outlive its rollback.
      SqlTx access(*writer_);
      writer_->exec("SAVEPOINT member");
      bool keep = false;
      try {
        keep = (*m->body)(access);
        if (keep) access.finish();
        writer_->flush();  // a statement this body sent ahead fails here, charged to it
      } catch (...) {
        keep = false;
        m->error = std::current_exception();
      }
      if (!keep) writer_->exec("ROLLBACK TO member");
      writer_->exec("RELEASE member");
    }
    tx.commit();
    commits_.fetch_add(1, std::memory_order_relaxed);
  } catch (...) {
    // Busy, or the commit itself failed: nothing of this group is durable, so nobody may be
    // told otherwise.
    for (auto* m : members) {
      if (!m->error) m->error = std::current_exception();
    }
  }
}

SqlStore::Lease::~Lease() {
  if (writer_lock.owns_lock()) return;  // the unique_lock releases the writer
  {
    std::lock_guard lock(owner->readers_mutex_);
    owner->idle_readers_.push_back(conn);
  }
  owner->reader_free_.notify_one();
}

SqlStore::Lease SqlStore::lease_reader() {
  if (readers_.empty()) return {this, writer_.get(), std::unique_lock(writer_mutex_)};
  std::unique_lock lock(readers_mutex_);
  reader_free_.wait(lock, [&] { return !idle_readers_.empty(); });
  Connection* conn = idle_readers_.back();
  idle_readers_.pop_back();
  return {this, conn, std::unique_lock<std::mutex>()};
}

// The leader holds a session-level advisory lock on a connection of its own. PostgreSQL releases
// it when that session ends, which a killed process's does at once (its socket closes), so the
// next instance to ask, within a tick, takes over. A leader whose session broke learns it at its
// next ask and stops leading until it wins the lock again.
bool SqlStore::lead_periodic_work() {
  if (url_.empty()) return true;
  std::lock_guard lock(leader_mutex_);
  try {
    if (!leader_) {
      leader_ = std::make_unique<PgConnection>(url_);
      leader_->exec(std::string("SET application_name = '") + kInstanceSessionName + "'");
    }
    if (leading_) {
      leader_->exec("SELECT 1");  // still the same session, so still the lock's holder
      return true;
    }
    auto q = leader_->prepare("SELECT pg_try_advisory_lock(:key)");
    q->bind(":key", kLeaderLockKey);
    leading_ = q->step() && q->get_int(0) == 1;
  } catch (const StoreError&) {
    leader_.reset();  // the session is gone, and its lock with it
    leading_ = false;
  }
  return leading_;
}

// Each instance's leader session (opened by lead_periodic_work, asked every second by every
// instance) names itself; a dead instance's session and its name go when its socket closes.
int SqlStore::instances() {
  if (url_.empty()) return 1;
  std::lock_guard lock(leader_mutex_);
  try {
    if (!leader_) return 1;  // not asked yet: this one is all it knows of
    auto q = leader_->prepare(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND "
        "application_name = :name");
    q->bind(":name", kInstanceSessionName);
    return q->step() ? std::max<int>(1, static_cast<int>(q->get_int(0))) : 1;
  } catch (const StoreError&) {
    leader_.reset();
    leading_ = false;
    return 1;
  }
}

int SqlStore::schema_version() {
  auto lease = lease_reader();
  auto q = lease.conn->prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return q->step() ? static_cast<int>(q->get_int(0)) : 0;
}

}  // namespace fieldserve::store
