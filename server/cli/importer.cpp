#include "server/cli/importer.h"

#include <fstream>
#include <set>
#include <sstream>

#include "dispatch/site_placement.h"
#include "domain/job_status.h"
#include "server/api/json/policy_json.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

Result<json> read_file(const std::filesystem::path& path, bool required) {
  std::ifstream in(path);
  if (!in) {
    if (!required) return json(nullptr);
    return fail(ErrorCode::validation_failed, "cannot read " + path.string());
  }
  std::stringstream text;
  text << in.rdbuf();
  if (json_nesting_depth(text.str()) > kMaxJsonDepth) {
    return fail(ErrorCode::malformed_json, path.string() + " nests too deeply");
  }
  json value = json::parse(text.str(), nullptr, false);
  if (value.is_discarded())
    return fail(ErrorCode::malformed_json, path.string() + " is not valid JSON");
  return value;
}

Result<json> read_list(const std::filesystem::path& folder, const char* name) {
  auto value = read_file(folder / name, true);
  if (!value) return value;
  if (!value->is_array())
    return fail(ErrorCode::validation_failed, std::string(name) + " must hold a JSON array");
  return value;
}

// Wraps a FieldReader failure with the file and row it came from.
Result<app::HistoricEvent> read_event(const json& event) {
  FieldReader r(event);
  auto type = r.text("type", true, 32);
  auto to = r.text("to", true, 32);
  auto at = r.instant("at", true);
  auto source = r.one_of("source", false, parse_event_source, "api, sync, dispatcher");
  auto reason = r.one_of("reason", false, parse_hold_reason, "waiting_parts, waiting_customer");
  if (type && *type != "status") r.problem("type", "must be status");
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  return app::HistoricEvent{*to, *at, source.value_or(EventSource::api), reason};
}

// Every time a sample folder holds, by field name.
bool is_time_field(const std::string& key) {
  static const std::set<std::string> kTimes{"sold_at",     "installed_at", "reported_at",    "at",
                                            "received_at", "answered_at",  "history_ends_at"};
  return kTimes.contains(key);
}

// Moves every time in `value` by `shift` (whole weeks: weekdays and local hours stay the same).
void shift_times(json& value, std::chrono::seconds shift) {
  if (value.is_array()) {
    for (auto& item : value) shift_times(item, shift);
  } else if (value.is_object()) {
    for (auto& [key, item] : value.items()) {
      if (item.is_string() && is_time_field(key)) {
        if (auto at = parse_rfc3339(item.get<std::string>())) item = format_rfc3339(*at + shift);
      } else {
        shift_times(item, shift);
      }
    }
  }
}

// The whole weeks that bring the history's end into the week before `as_of`.
std::chrono::seconds history_shift(Instant history_end, Instant as_of) {
  constexpr std::int64_t kWeek = 7LL * 24 * 3600;
  auto gap = (as_of - history_end).count();
  auto weeks = gap >= 0 ? gap / kWeek : -((-gap + kWeek - 1) / kWeek);
  return std::chrono::seconds(weeks * kWeek);
}

}  // namespace

std::unexpected<Error> at_row(const char* file, std::size_t row, Error error) {
  error.message = std::string(file) + " row " + std::to_string(row + 1) + ": " + error.message;
  return std::unexpected(std::move(error));
}

Result<app::HistoricJob> read_historic_job(const json& row, Instant now) {
  FieldReader r(row);
  app::HistoricJob history;
  Job& job = history.job;
  job.id = r.integer("id", true, 1, INT64_MAX).value_or(0);
  job.kind = r.one_of("kind", true, parse_job_kind, "repair, installation, maintenance, inspection")
                 .value_or(JobKind::repair);
  job.severity = r.one_of("severity", true, parse_severity, "critical, serious, general, minor")
                     .value_or(Severity::general);
  job.site_id = r.integer("site_id", true, 1, INT64_MAX).value_or(0);
  job.equipment_id = r.integer("equipment_id", false, 1, INT64_MAX);
  job.required_skills = r.skills("required_skills", false).value_or(std::vector<std::string>{});
  job.description = r.text("description", false, 4000, true).value_or("");
  job.fault = r.text("fault", false, 64, true).value_or("");
  job.reported_at = r.instant("reported_at", true).value_or(now);
  if (job.reported_at > now) r.problem("reported_at", "must not be in the future");
  history.technician = r.integer("technician_id", false, 1, INT64_MAX);
  r.accept("events");
  r.accept("parts");
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  if (auto it = row.find("parts"); it != row.end()) {
    if (!it->is_array()) return fail(ErrorCode::validation_failed, "parts must be an array");
    for (const auto& part : *it) {
      if (!part.is_object()) return fail(ErrorCode::validation_failed, "parts must be objects");
      FieldReader p(part, "parts");
      JobPart used;
      used.part.part_number = p.text("part_number", true, 64).value_or("");
      used.part.qty = static_cast<int>(p.integer("qty", true, 1, 100000).value_or(1));
      used.at = p.instant("at", true).value_or(job.reported_at);
      if (used.at < job.reported_at) p.problem("at", "must not be before reported_at");
      if (auto ok = p.finish(); !ok) return std::unexpected(ok.error());
      history.parts.push_back(std::move(used));
    }
  }
  if (auto it = row.find("events"); it != row.end() && it->is_array()) {
    for (const auto& event : *it) {
      if (!event.is_object()) return fail(ErrorCode::validation_failed, "events must be objects");
      auto read = read_event(event);
      if (!read) return std::unexpected(read.error());
      history.events.push_back(std::move(*read));
    }
  }
  return history;
}

Result<int> import_job(Services& s, store::Tx& tx, app::Effects& fx, const json& row, Instant now) {
  auto history = read_historic_job(row, now);
  if (!history) return std::unexpected(history.error());
  return app::import_job(s.writer, tx, fx, std::move(*history));
}

Result<ImportCounts> import_folder(
    Services& s, const std::filesystem::path& folder,
    const std::function<void(const std::string&, int, int)>& progress,
    std::optional<Instant> as_of) {
  auto policy_doc = read_file(folder / "sla_policy.json", false);
  if (!policy_doc) return std::unexpected(policy_doc.error());
  if (!policy_doc->is_null()) {
    auto policy = policy_from_json(*policy_doc);
    if (!policy) {
      auto e = policy.error();
      e.message = "sla_policy.json: " + e.message;
      return std::unexpected(e);
    }
    s.policy.set_policy(*policy);
  }
  auto centers = read_list(folder, "centers.json");
  if (!centers) return std::unexpected(centers.error());
  auto customers = read_list(folder, "customers.json");
  if (!customers) return std::unexpected(customers.error());
  auto sites = read_list(folder, "sites.json");
  if (!sites) return std::unexpected(sites.error());
  auto equipment = read_list(folder, "equipment.json");
  if (!equipment) return std::unexpected(equipment.error());
  auto technicians = read_list(folder, "technicians.json");
  if (!technicians) return std::unexpected(technicians.error());
  auto jobs = read_list(folder, "jobs.json");
  if (!jobs) return std::unexpected(jobs.error());
  auto prices = read_file(folder / "part_prices.json", false);  // optional
  if (!prices) return std::unexpected(prices.error());
  if (!prices->is_null() && !prices->is_array()) {
    return fail(ErrorCode::validation_failed, "part_prices.json must hold a JSON array");
  }
  // After-sales records are optional: a folder from before them imports as it did.
  std::array<json, 3> after_sales;
  const char* after_sales_files[] = {"exchanges.json", "complaints.json", "followups.json"};
  for (std::size_t i = 0; i < after_sales.size(); ++i) {
    auto list = read_file(folder / after_sales_files[i], false);
    if (!list) return std::unexpected(list.error());
    if (!list->is_null() && !list->is_array()) {
      return fail(ErrorCode::validation_failed,
                  std::string(after_sales_files[i]) + " must hold a JSON array");
    }
    after_sales[i] = list->is_null() ? json::array() : std::move(*list);
  }
  auto& [exchanges, complaints, follow_ups] = after_sales;
  // A folder that says when its history ends is dated to the import day (whole weeks).
  auto manifest = read_file(folder / "manifest.json", false);
  if (!manifest) return std::unexpected(manifest.error());
  ImportCounts counts;
  if (manifest->is_object() && manifest->contains("history_ends_at")) {
    auto end = (*manifest)["history_ends_at"].is_string()
                   ? parse_rfc3339((*manifest)["history_ends_at"].get<std::string>())
                   : std::nullopt;
    if (!end)
      return fail(ErrorCode::validation_failed, "manifest.json: history_ends_at is not a time");
    counts.shift = history_shift(*end, as_of.value_or(s.clock.now()));
    for (json* list : {&*equipment, &*jobs, &exchanges, &complaints, &follow_ups}) {
      shift_times(*list, counts.shift);
    }
  }

  return app::write(s.store, [&](store::Tx& tx, app::Effects& fx) -> Result<ImportCounts> {
    if (!tx.all_centers().empty()) {
      return fail(ErrorCode::conflict, "the database already holds data; import into a new one");
    }
    tx.put_setting("sla_policy", policy_to_json(s.policy.policy()).dump());
    auto now = s.clock.now();
    for (std::size_t i = 0; i < centers->size(); ++i) {
      FieldReader r((*centers)[i]);
      Center c;
      c.id = r.integer("id", true, 1, INT64_MAX).value_or(0);
      c.name = r.text("name", true).value_or("");
      c.location = r.location("location", true).value_or(geo::LatLon{});
      c.time_zone = r.text("time_zone", true, 64).value_or("");
      if (!dispatch::is_known_time_zone(c.time_zone)) r.problem("time_zone", "is not an IANA zone");
      if (auto h = r.weekly_hours("business_hours", false)) c.business_hours = *h;
      if (auto ok = r.finish(); !ok) return at_row("centers.json", i, ok.error());
      c.id = tx.insert_center(c);
      ++counts.centers;
    }
    auto all_centers = tx.all_centers();
    for (std::size_t i = 0; i < customers->size(); ++i) {
      FieldReader r((*customers)[i]);
      Customer c;
      c.id = r.integer("id", true, 1, INT64_MAX).value_or(0);
      c.name = r.text("name", true).value_or("");
      c.account_tier = r.one_of("account_tier", false, parse_account_tier, "key, standard")
                           .value_or(AccountTier::standard);
      if (const json* contact = r.object("contact", false)) {
        FieldReader cr(*contact, "contact");
        c.contact.name = cr.text("name", false, 200, true).value_or("");
        c.contact.phone = cr.text("phone", false, 50, true).value_or("");
        c.contact.email = cr.text("email", false, 254, true).value_or("");
        r.merge(cr);
      }
      c.notes = r.text("notes", false, 4000, true).value_or("");
      if (auto ok = r.finish(); !ok) return at_row("customers.json", i, ok.error());
      c.id = tx.insert_customer(c);
      ++counts.customers;
      progress("customers", static_cast<int>(i + 1), static_cast<int>(customers->size()));
    }
    for (std::size_t i = 0; i < sites->size(); ++i) {
      FieldReader r((*sites)[i]);
      Site site;
      site.id = r.integer("id", true, 1, INT64_MAX).value_or(0);
      site.customer_id = r.integer("customer_id", true, 1, INT64_MAX).value_or(0);
      site.address = r.text("address", true, 500).value_or("");
      site.location = r.location("location", true).value_or(geo::LatLon{});
      auto center = r.integer("center_id", false, 1, INT64_MAX);
      if (auto ok = r.finish(); !ok) return at_row("sites.json", i, ok.error());
      auto placement = dispatch::place_site(site.location, all_centers, center);
      if (!placement)
        return at_row("sites.json", i, Error{ErrorCode::unknown_reference, "no such center", {}});
      site.center_id = placement->center_id;
      site.center_explicit = center.has_value();
      site.distance_km = placement->distance_km;
      site.id = tx.insert_site(site);
      ++counts.sites;
      progress("sites", static_cast<int>(i + 1), static_cast<int>(sites->size()));
    }
    for (std::size_t i = 0; i < equipment->size(); ++i) {
      FieldReader r((*equipment)[i]);
      Equipment e;
      e.id = r.integer("id", true, 1, INT64_MAX).value_or(0);
      e.site_id = r.integer("site_id", true, 1, INT64_MAX).value_or(0);
      e.model = r.text("model", true).value_or("");
      e.serial = r.text("serial", true, 100).value_or("");
      e.sold_at = r.instant("sold_at", true).value_or(Instant{});
      e.installed_at = r.instant("installed_at", false);
      e.warranty_months =
          static_cast<int>(r.integer("warranty_months", false, 0, 240).value_or(12));
      if (auto ok = r.finish(); !ok) return at_row("equipment.json", i, ok.error());
      e.id = tx.insert_equipment(e);
      ++counts.equipment;
      progress("equipment", static_cast<int>(i + 1), static_cast<int>(equipment->size()));
    }
    // Before the jobs: their warranty blocks count the exchanges.
    if (auto n = import_exchanges(tx, exchanges, now); !n) return std::unexpected(n.error());
    else counts.exchanges = *n;
    for (std::size_t i = 0; i < technicians->size(); ++i) {
      FieldReader r((*technicians)[i]);
      Technician t;
      t.id = r.integer("id", true, 1, INT64_MAX).value_or(0);
      t.name = r.text("name", true).value_or("");
      t.skills = r.skills("skills", true).value_or(std::vector<std::string>{});
      t.home_center_id = r.integer("home_center_id", true, 1, INT64_MAX).value_or(0);
      t.location = r.location("location", false);
      if (t.location) t.location_at = now;
      t.max_open_jobs = static_cast<int>(r.integer("max_open_jobs", false, 1, 100).value_or(6));
      t.active = r.boolean("active", false).value_or(true);
      t.shift = r.weekly_hours("shift", true).value_or(WeeklyHours{});
      if (auto ok = r.finish(); !ok) return at_row("technicians.json", i, ok.error());
      t.id = tx.insert_technician(t);
      ++counts.technicians;
    }
    for (std::size_t i = 0; i < jobs->size(); ++i) {
      auto events = import_job(s, tx, fx, (*jobs)[i], now);
      if (!events) return at_row("jobs.json", i, events.error());
      counts.events += *events;
      ++counts.jobs;
      progress("jobs", static_cast<int>(i + 1), static_cast<int>(jobs->size()));
    }
    if (auto n = import_complaints(tx, complaints, s.policy.policy().complaints, now); !n) {
      return std::unexpected(n.error());
    } else {
      counts.complaints = *n;
    }
    if (auto n = import_follow_up_results(tx, follow_ups, now); !n) {
      return std::unexpected(n.error());
    } else {
      counts.follow_up_results = *n;
    }
    if (prices->is_array()) {
      for (std::size_t i = 0; i < prices->size(); ++i) {
        FieldReader r((*prices)[i]);
        auto part = r.text("part_number", true, 64);
        auto price = r.number("unit_price", true, 0, 1e9);
        if (auto ok = r.finish(); !ok) return at_row("part_prices.json", i, ok.error());
        tx.put_part_price(*part, *price);
      }
    }
    return counts;
  });
}

}  // namespace fieldserve::server
