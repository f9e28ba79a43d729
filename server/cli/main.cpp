// fieldserve: the command line of the README's command line. Messages go to stderr; the only things
// on stdout are what a script captures (tokens).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <dlfcn.h>

#include <malloc.h>
#include <csignal>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/sla_ticker.h"
#include "server/api/handlers.h"
#include "server/api/services.h"
#include "server/cli/device_cli.h"
#include "server/cli/importer.h"
#include "server/cli/replay_cli.h"
#include "server/http/logging.h"
#include "server/http/router.h"
#include "store/backup.h"
#include "store/migrations.h"
#include "store/store.h"

namespace fs = fieldserve;
using fieldserve::server::log_event;

namespace {

// jemalloc exports mallctl; glibc does not. Logged so a build without it is noticed.
std::string allocator_name() {
  return dlsym(RTLD_DEFAULT, "mallctl") != nullptr ? "jemalloc" : "system";
}

fieldserve::server::HardenedServer* g_server = nullptr;

void stop_on_signal(int) {
  if (g_server) g_server->shut_down();
}

struct ServeOptions {
  std::string db = "fieldserve.db";
  int port = 8080;
  std::string bind = "127.0.0.1";
  std::string web_dir;
  std::string log_format = "text";
  fieldserve::server::HttpLimits limits;
  double rate_per_s = 200;
  double rate_burst = 400;
  int readers = 4;
  std::string port_file;
  std::string sync_mark;  // empty: beside a SQLite database, none for PostgreSQL
  std::string tls_cert, tls_key;
  bool no_group_commit = false;
  int sync_retention_days = 30;
  fieldserve::app::CostRates costs;
  int job_cache = 20'000;
};

std::string sync_mark_file(const ServeOptions& o);
void check_sync_mark(fieldserve::store::Store& store, const std::string& mark_file);
void write_sync_mark(fieldserve::store::Store& store, const std::string& mark_file);

int serve(const ServeOptions& o) {
  // Each of the worker threads gets a malloc arena, and glibc hands freed memory back to the
  // kernel at 128 KiB, so busy workers kept faulting in fresh zeroed pages: a third of the CPU of
  // a sync push run went to page faults. Keep what was freed, within bounds. (Builds linked with
  // jemalloc do not use glibc's allocator, and these settings then change nothing.)
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 1 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  fieldserve::server::setup_logging(o.log_format == "json"
                                        ? fieldserve::server::LogFormat::json_lines
                                        : fieldserve::server::LogFormat::text);
  auto store = fieldserve::store::Store::open(o.db, o.readers);
  auto mark_file = sync_mark_file(o);
  if (mark_file.empty() && fieldserve::store::is_postgresql_url(o.db)) {
    log_event(fieldserve::server::LogLevel::warn,
              "no --sync-mark: devices will not be told to reset if the database is restored "
              "from a backup");
  }
  check_sync_mark(*store, mark_file);
  fieldserve::SystemClock clock;
  fieldserve::server::Services services(*store, clock,
                                        {o.rate_per_s, o.rate_burst, !o.no_group_commit, o.costs,
                                         static_cast<std::size_t>(o.job_cache)});
  // Devices idle longer than the retention get reset: true, then a fresh snapshot.
  auto floor = services.sync.prune_feed(std::chrono::days(o.sync_retention_days));
  fieldserve::server::HardenedServer server(o.limits);
  fieldserve::app::SlaTicker ticker(*store, services.writer);
  ticker.sweep_with(services.dispatcher);
  ticker.share_limits_of(services.limiter);
  fieldserve::server::Gate gate{services.auth, services.limiter, services.metrics,
                                [&store, &ticker, &services] {
                                  auto decisions = services.dispatcher.decision_times().figures();
                                  using Times = fieldserve::app::DecisionTimes;
                                  return fieldserve::server::ScrapeFigures{
                                      static_cast<double>(store->db_nanoseconds()) / 1e9,
                                      store->commits(),
                                      store->committer_nice(),
                                      0,
                                      ticker.leading(),
                                      services.limiter.share(),
                                      {{Times::kBounds.begin(), Times::kBounds.end()},
                                       {decisions.at_most.begin(), decisions.at_most.end()},
                                       decisions.count,
                                       decisions.sum_seconds}};
                                }};
  fieldserve::server::install_routes(server, gate, fieldserve::server::api_routes(services),
                                     o.web_dir, fieldserve::server::api_components());
  if (!o.tls_cert.empty()) {
    std::string error;
    if (!server.enable_tls(o.tls_cert, o.tls_key, error)) {
      log_event(fieldserve::server::LogLevel::error, "cannot start TLS", {{"error", error}});
      return 1;
    }
  }
  int port = o.port;
  bool bound = port == 0 ? (port = server.bind_to_any_port(o.bind)) > 0
                         : server.bind_to_port(o.bind, port);
  if (!bound) {
    log_event(fieldserve::server::LogLevel::error, "cannot listen",
              {{"bind", o.bind}, {"port", std::int64_t{o.port}}});
    return 1;
  }
  if (!o.port_file.empty()) {
    // Written after bind, renamed into place so a reader never sees a half-written number.
    // Whoever asked for the file waits for it: failing to write it is fatal, not silent.
    std::string tmp = o.port_file + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    bool written = f != nullptr && std::fprintf(f, "%d\n", port) > 0;
    if (f != nullptr && std::fclose(f) != 0) written = false;
    if (!written || std::rename(tmp.c_str(), o.port_file.c_str()) != 0) {
      log_event(fieldserve::server::LogLevel::error, "cannot write the port file",
                {{"port_file", o.port_file}});
      return 1;
    }
  }
  g_server = &server;
  std::signal(SIGINT, stop_on_signal);
  std::signal(SIGTERM, stop_on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  log_event(fieldserve::server::LogLevel::info, "serving",
            {{"url", (server.tls() ? "https://" : "http://") + o.bind + ":" + std::to_string(port)},
             {"db", o.db},
             {"threads", std::int64_t{o.limits.threads}},
             {"sync_floor", floor},
             {"schema_version", std::int64_t{store->schema_version()}},
             {"allocator", allocator_name()}});
  ticker.start();
  server.listen_after_bind();
  ticker.stop();
  write_sync_mark(*store, mark_file);
  log_event(fieldserve::server::LogLevel::info, "stopped");
  return 0;
}

// A database restored from a backup hands out change sequences again that devices have already
// been given, and a device whose cursor lies inside the reissued range would skip changes. The
// server keeps the highest sequence it has served in a file next to the database; finding the
// database behind that mark at start, it gives the database a new id, so every device resets.
// Written at start and at a clean stop; a crash in between leaves the mark of the last start.
// A PostgreSQL database has no file to keep it beside: each instance keeps one where --sync-mark
// says. The first to start after a restore gives the database its new id; the others' marks then
// name the old id, which no longer matches, so they change nothing more.
std::string sync_mark_file(const ServeOptions& o) {
  if (!o.sync_mark.empty()) return o.sync_mark;
  if (o.db == ":memory:" || o.db.empty() || fieldserve::store::is_postgresql_url(o.db)) return {};
  return o.db + ".sync-mark";
}

void check_sync_mark(fieldserve::store::Store& store, const std::string& mark_file) {
  if (mark_file.empty()) return;
  auto feed = store.read([](fieldserve::store::Tx& tx) { return tx.feed_state(); });
  std::string marked_id;
  std::int64_t marked_seq = 0;
  if (std::ifstream in(mark_file); in >> marked_id >> marked_seq) {
    if (marked_id == feed.database_id && marked_seq > feed.last_seq) {
      log_event(fieldserve::server::LogLevel::warn,
                "the database is behind the sync mark: restored from a backup? "
                "devices will reset their job lists",
                {{"mark", marked_seq}, {"last_seq", feed.last_seq}});
      store.write([](fieldserve::store::Tx& tx) {
        tx.renew_database_id();
        return true;
      });
    }
  }
  write_sync_mark(store, mark_file);
}

void write_sync_mark(fieldserve::store::Store& store, const std::string& mark_file) {
  if (mark_file.empty()) return;
  auto feed = store.read([](fieldserve::store::Tx& tx) { return tx.feed_state(); });
  std::string tmp = mark_file + ".tmp";
  bool written = false;
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << feed.database_id << " " << feed.last_seq << "\n";
    out.flush();
    written = out.good();
  }
  // A stale mark would let a restored backup go unnoticed at the next start: say so.
  if (!written || std::rename(tmp.c_str(), mark_file.c_str()) != 0) {
    log_event(fieldserve::server::LogLevel::warn, "cannot write the sync mark",
              {{"file", mark_file}});
  }
}

void add_db_option(CLI::App* cmd, std::string& db) {
  cmd->add_option("--db", db, "SQLite database file, or a postgresql:// URL")->required();
}

}  // namespace

// What escapes the try below is a broken invariant in setting up the options: let it end the
// process with its message rather than hide it.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
  CLI::App cli{"fieldserve: field-service dispatch server with a mobile-sync API"};
  cli.set_version_flag("--version", std::string("fieldserve ") + FIELDSERVE_VERSION);
  cli.require_subcommand(1);

  ServeOptions serve_opts;
  auto* serve_cmd = cli.add_subcommand("serve", "Serve the HTTP API (and the web app with --web)");
  serve_cmd->add_option("--db", serve_opts.db, "SQLite database file, or a postgresql:// URL")
      ->capture_default_str();
  serve_cmd->add_option("--port", serve_opts.port, "TCP port")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--bind", serve_opts.bind, "address to listen on")->capture_default_str();
  serve_cmd->add_option("--web", serve_opts.web_dir, "folder served at /")
      ->check(CLI::ExistingDirectory);
  serve_cmd->add_option("--log-format", serve_opts.log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  serve_cmd->add_option("--threads", serve_opts.limits.threads, "worker threads")
      ->check(CLI::Range(2, 1024))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-body-bytes", serve_opts.limits.max_body_bytes, "largest request body")
      ->capture_default_str();
  serve_cmd
      ->add_option("--request-timeout", serve_opts.limits.request_timeout_s,
                   "seconds a client has to send one whole request")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve_cmd
      ->add_option("--keep-alive-timeout", serve_opts.limits.keep_alive_timeout_s,
                   "seconds an idle connection is kept")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve_cmd->add_option("--rate", serve_opts.rate_per_s, "requests per second per token")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve_cmd->add_option("--burst", serve_opts.rate_burst, "request burst per token")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  auto* cert_opt =
      serve_cmd->add_option("--tls-cert", serve_opts.tls_cert, "PEM certificate chain: serve HTTPS")
          ->check(CLI::ExistingFile);
  auto* key_opt = serve_cmd
                      ->add_option("--tls-key", serve_opts.tls_key, "PEM private key of --tls-cert")
                      ->check(CLI::ExistingFile);
  cert_opt->needs(key_opt);
  key_opt->needs(cert_opt);
  serve_cmd->add_option("--port-file", serve_opts.port_file,
                        "write the port actually bound here (useful with --port 0)");
  serve_cmd->add_option("--sync-mark", serve_opts.sync_mark,
                        "file keeping the newest change served, to tell a restored database "
                        "(default: beside a SQLite database; give one per instance on PostgreSQL)");
  serve_cmd->add_flag("--no-group-commit", serve_opts.no_group_commit,
                      "commit every sync push on its own (the benchmark baseline)");
  serve_cmd
      ->add_option("--job-cache", serve_opts.job_cache,
                   "jobs kept rendered for the job list, about 1 kB each (0: none)")
      ->check(CLI::Range(0, 10'000'000))
      ->capture_default_str();
  serve_cmd
      ->add_option("--sync-retention-days", serve_opts.sync_retention_days,
                   "days of sync changes kept; older cursors get a reset")
      ->check(CLI::Range(0, 3650))
      ->capture_default_str();
  serve_cmd
      ->add_option("--labour-cost-per-hour", serve_opts.costs.labour_per_hour,
                   "what an hour on site costs, for the technician report")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  serve_cmd
      ->add_option("--travel-cost-per-km", serve_opts.costs.travel_per_km,
                   "what a road km costs, for the technician report")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  serve_cmd->add_option("--readers", serve_opts.readers, "reader connections")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();

  std::string init_db;
  auto* init_cmd = cli.add_subcommand("init",
                                      "Create the schema and print a new admin token on stdout");
  add_db_option(init_cmd, init_db);

  std::string import_db, import_dir;
  auto* import_cmd = cli.add_subcommand("import",
                                        "Load a sample_data folder into an empty database");
  add_db_option(import_cmd, import_db);
  import_cmd->add_option("folder", import_dir, "folder with centers.json, customers.json, ...")
      ->required()
      ->check(CLI::ExistingDirectory);
  std::string import_as_of;
  import_cmd->add_option("--as-of", import_as_of,
                         "date the history as if imported at this RFC 3339 time (default now); "
                         "a folder with manifest.json is moved by whole weeks to end before it");

  std::string migrate_db;
  auto* migrate_cmd = cli.add_subcommand("migrate", "Apply pending schema migrations");
  add_db_option(migrate_cmd, migrate_db);

  std::string backup_db, backup_out;
  auto* backup_cmd =
      cli.add_subcommand("backup",
                         "Copy a database, live or not, as it stands now; the copy is checked and "
                         "appears under --out only when complete");
  add_db_option(backup_cmd, backup_db);
  backup_cmd->add_option("--out", backup_out, "the copy's path")->required();

  std::string restore_db, restore_from;
  auto* restore_cmd = cli.add_subcommand(
      "restore",
      "Put a backup in place of a database no server has open (the one replaced is "
      "kept beside it)");
  add_db_option(restore_cmd, restore_db);
  restore_cmd->add_option("--from", restore_from, "the backup")
      ->required()
      ->check(CLI::ExistingFile);

  auto* token_cmd = cli.add_subcommand("token", "Manage tokens");
  token_cmd->require_subcommand(1);
  std::string token_db, token_role, token_name;
  std::optional<std::int64_t> token_technician;
  auto* token_create = token_cmd->add_subcommand("create",
                                                 "Create a token and print it alone on stdout");
  add_db_option(token_create, token_db);
  token_create->add_option("--role", token_role, "admin, dispatcher, manager or technician")
      ->required()
      ->check(CLI::IsMember({"admin", "dispatcher", "manager", "technician"}));
  token_create->add_option("--name", token_name, "who or what holds it")->required();
  token_create->add_option("--technician", token_technician, "technician id (technician tokens)");

  fs::server::ReplayCommand replay_cmd_opts;
  auto* replay_cmd = cli.add_subcommand(
      "replay", "What-if: replay a recorded request stream through the dispatch engine");
  replay_cmd
      ->add_option("folder", replay_cmd_opts.folder,
                   "folder with centers.csv, technicians.csv, requests.csv")
      ->required()
      ->check(CLI::ExistingDirectory);
  replay_cmd
      ->add_option("--strategy", replay_cmd_opts.strategy,
                   "sla (the engine) or nearest (the baseline)")
      ->check(CLI::IsMember({"sla", "nearest"}))
      ->capture_default_str();
  replay_cmd
      ->add_option("--policy", replay_cmd_opts.policy_file,
                   "SLA policy JSON (default: the built-in policy)")
      ->check(CLI::ExistingFile);
  replay_cmd->add_option("--out", replay_cmd_opts.out_file,
                         "write the JSON result here (default: stdout)");
  replay_cmd->add_option("--requests-out", replay_cmd_opts.requests_out_file,
                         "also write one CSV row per request: who went, when, which targets "
                         "were missed");
  replay_cmd->add_flag("--no-move-up", replay_cmd_opts.no_move_up,
                       "the engine leaves idle technicians where they are");
  replay_cmd->add_flag("--no-replan", replay_cmd_opts.no_replan,
                       "the engine never re-plans jobs not yet started");
  replay_cmd->add_flag("--no-optimizer-replan", replay_cmd_opts.no_optimizer_replan,
                       "re-planning without the optimizer pass (take-over and the sweep stay)");
  replay_cmd->add_flag("--no-take-over", replay_cmd_opts.no_take_over,
                       "a freed technician never takes over another's critical job");
  replay_cmd->add_flag("--no-rescue", replay_cmd_opts.no_rescue,
                       "no sweep for jobs the plan no longer reaches in time");

  fs::server::DeviceCommand device_opts;
  auto* device_cmd = cli.add_subcommand("device",
                                        "Device simulator: a tablet's outbox, push and pull");
  device_cmd->require_subcommand(1);
  auto* device_record = device_cmd->add_subcommand("record",
                                                   "Record an op offline; prints its op_id");
  auto* device_sync = device_cmd->add_subcommand("sync",
                                                 "Push unanswered ops (same op_ids), then pull");
  auto* device_status = device_cmd->add_subcommand("status", "Print the outbox and its answers");
  for (auto* sub : {device_record, device_sync, device_status}) {
    sub->add_option("--outbox", device_opts.outbox, "the device's SQLite file")->required();
    sub->add_option("--clock-offset", device_opts.clock_offset, "seconds the device clock is off");
  }
  device_record
      ->add_option("--type", device_opts.type, "status, signoff, note, parts_used, location")
      ->required();
  device_record->add_option("--job", device_opts.job, "job id");
  device_record->add_option("--payload", device_opts.payload, "the op's payload as JSON")
      ->capture_default_str();
  device_record->add_option("--at", device_opts.at, "when it happened on the device (default now)");
  device_sync->add_option("--url", device_opts.url, "server URL")->capture_default_str();
  device_sync->add_option("--token", device_opts.token, "the device's technician token")
      ->required();
  device_sync->add_option("--batch", device_opts.batch, "ops per push")
      ->check(CLI::Range(1, 500))
      ->capture_default_str();
  device_sync->add_option("--attempts", device_opts.attempts, "pushes tried before giving up")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();

  CLI11_PARSE(cli, argc, argv);

  try {
    if (*serve_cmd) return serve(serve_opts);
    if (*replay_cmd) return fs::server::run_replay(replay_cmd_opts);
    if (*device_cmd) {
      device_opts.action = *device_record ? "record" : *device_sync ? "sync" : "status";
      return fs::server::run_device(device_opts);
    }
    fs::server::setup_logging(fs::server::LogFormat::text);
    spdlog::set_pattern("%v");
    fs::SystemClock clock;
    if (*init_cmd) {
      auto store = fs::store::Store::open(init_db, 0);
      auto issued = store->write([&](fs::store::Tx& tx) {
        return fs::app::issue_token(tx, fs::Role::admin, "admin (init)", std::nullopt, clock.now());
      });
      std::cerr << "initialized " << init_db << " at schema version " << store->schema_version()
                << "\n";
      std::cout << issued.token << std::endl;
      return 0;
    }
    if (*backup_cmd) {
      // Background work beside a serving server: its CPU (the integrity check of the copy)
      // yields to the server's.
      (void)::setpriority(PRIO_PROCESS, 0, 10);
      auto r = fs::store::backup_database(backup_db, backup_out);
      std::cerr << "backed up " << backup_db << " to " << backup_out << ": " << r.bytes
                << " bytes, copied in " << r.copy.count() << " ms, integrity_check ok in "
                << r.check.count() << " ms\n";
      return 0;
    }
    if (*restore_cmd) {
      auto r = fs::store::restore_database(restore_from, restore_db);
      std::cerr << "restored " << restore_from << " to " << restore_db << " (" << r.bytes
                << " bytes)";
      if (!r.replaced.empty()) std::cerr << "; the database it replaced is " << r.replaced;
      std::cerr << "\nWhat was acknowledged after the backup was taken is not in it; devices "
                   "that synced since get reset: true on their next pull.\n";
      return 0;
    }
    if (*migrate_cmd) {
      auto store = fs::store::Store::open(migrate_db, 0);
      std::cerr << migrate_db << " is at schema version " << store->schema_version() << "\n";
      return 0;
    }
    if (*import_cmd) {
      auto store = fs::store::Store::open(import_db, 0);
      fs::server::Services app(*store, clock);
      bool terminal = ::isatty(STDERR_FILENO) != 0;
      auto progress = [&](const std::string& stage, int done, int total) {
        if (!terminal || (done != total && done % 25 != 0)) return;
        int width = 30, filled = total ? done * width / total : width;
        std::fprintf(stderr, "\r%-12s [%s%s] %d/%d", stage.c_str(),
                     std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                     done, total);
        if (done == total) std::fprintf(stderr, "\n");
      };
      std::optional<fs::Instant> as_of;
      if (!import_as_of.empty()) {
        as_of = fs::parse_rfc3339(import_as_of);
        if (!as_of) {
          std::cerr << "--as-of is not an RFC 3339 time: " << import_as_of << "\n";
          return 2;
        }
        if (*as_of > clock.now()) {
          std::cerr << "--as-of must not be in the future: a history cannot end after today\n";
          return 2;
        }
      }
      auto counts = fs::server::import_folder(app, import_dir, progress, as_of);
      if (!counts) {
        std::cerr << "import failed: " << counts.error().message << "\n";
        for (const auto& d : counts.error().details) std::cerr << "  " << d << "\n";
        return 1;
      }
      std::cerr << "imported " << counts->centers << " centers, " << counts->customers
                << " customers, " << counts->sites << " sites, " << counts->equipment
                << " equipment, " << counts->technicians << " technicians, " << counts->jobs
                << " jobs, " << counts->events << " events, " << counts->exchanges << " exchanges, "
                << counts->complaints << " complaints, " << counts->follow_up_results
                << " follow-up results\n";
      if (counts->shift.count() != 0) {
        auto weeks = std::chrono::duration_cast<std::chrono::weeks>(counts->shift).count();
        std::cerr << "history moved by " << weeks
                  << (weeks == 1 || weeks == -1 ? " week" : " weeks")
                  << " to end before the import day\n";
      }
      return 0;
    }
    if (*token_create) {
      auto role = fs::parse_role(token_role);
      if (*role == fs::Role::technician && !token_technician) {
        std::cerr << "a technician token needs --technician ID\n";
        return 2;
      }
      if (*role != fs::Role::technician && token_technician) {
        std::cerr << "--technician is only for technician tokens\n";
        return 2;
      }
      auto store = fs::store::Store::open(token_db, 0);
      auto issued = store->write([&](fs::store::Tx& tx) -> fs::Result<fs::app::IssuedToken> {
        if (token_technician && !tx.technician(*token_technician)) {
          return fs::fail(fs::ErrorCode::unknown_reference,
                          "technician " + std::to_string(*token_technician) + " does not exist");
        }
        return fs::app::issue_token(tx, *role, token_name, token_technician, clock.now());
      });
      if (!issued) {
        std::cerr << issued.error().message << "\n";
        return 1;
      }
      std::cout << issued->token << std::endl;
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "fieldserve: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
