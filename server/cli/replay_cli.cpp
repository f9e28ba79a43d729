#include "server/cli/replay_cli.h"

#include <nlohmann/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dispatch/replay.h"
#include "server/api/json/policy_json.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

// One CSV record: fields separated by commas, double quotes around fields that hold commas,
// "" for a quote inside one (RFC 4180).
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') fields.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else fields.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

struct CsvTable {
  std::string name;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  int column(const std::string& field) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == field) return static_cast<int>(i);
    }
    return -1;
  }
};

Result<CsvTable> read_csv(const std::string& folder, const std::string& name,
                          const std::vector<std::string>& required) {
  std::ifstream in(folder + "/" + name);
  if (!in) return fail(ErrorCode::validation_failed, "cannot read " + folder + "/" + name);
  CsvTable table{name, {}, {}};
  std::string line;
  if (!std::getline(in, line)) return fail(ErrorCode::validation_failed, name + " is empty");
  table.header = split_csv(line);
  for (const auto& field : required) {
    if (table.column(field) < 0) {
      std::string message = name;
      message.append(" has no column ").append(field);
      return fail(ErrorCode::validation_failed, message);
    }
  }
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line == "\r") continue;
    auto row = split_csv(line);
    if (row.size() != table.header.size()) {
      return fail(ErrorCode::validation_failed,
                  name + " line " + std::to_string(number) + ": expected " +
                      std::to_string(table.header.size()) + " fields");
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::optional<double> to_number(const std::string& s) {
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<std::string> skills_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string s; std::getline(in, s, ';');) {
    if (!s.empty()) out.push_back(s);
  }
  return out;
}

Result<geo::LatLon> location(const CsvTable& t, const std::vector<std::string>& row,
                             std::size_t index) {
  auto lat = to_number(row[t.column("lat")]), lon = to_number(row[t.column("lon")]);
  if (!lat || !lon || !geo::is_valid({*lat, *lon})) {
    return fail(ErrorCode::validation_failed,
                t.name + " row " + std::to_string(index + 1) + ": bad lat/lon");
  }
  return geo::LatLon{*lat, *lon};
}

nlohmann::json result_json(const dispatch::ReplayResult& r) {
  nlohmann::json tiers = nlohmann::json::object();
  for (Severity s : kSeverities) {
    const auto& t = r.tiers[static_cast<int>(s)];
    double met_pct = t.count ? 100.0 * t.arrival_met / t.count : 0;
    tiers[std::string(to_string(s))] = {
        {"count", t.count},
        {"arrival_met_pct", std::round(met_pct * 100) / 100},
        {"p50_arrival_minutes",
         std::round(dispatch::percentile_nearest_rank(t.arrival_minutes, 50) * 10) / 10},
        {"p90_arrival_minutes",
         std::round(dispatch::percentile_nearest_rank(t.arrival_minutes, 90) * 10) / 10},
        {"breaches", t.breaches},
        {"km", std::round(t.km * 10) / 10}};
  }
  return {{"strategy", r.strategy},
          {"requests", r.requests},
          {"unassigned", r.unassigned},
          {"total_km", std::round(r.total_km * 10) / 10},
          {"repositioning_km", std::round(r.repositioning_km * 10) / 10},
          {"moves", r.moves},
          {"diverted_km", std::round(r.diverted_km * 10) / 10},
          {"diversions", r.diversions},
          {"replans", r.replans},
          {"utilisation_pct", std::round(r.utilisation_pct * 10) / 10},
          {"weighted_breaches", r.weighted_breaches},
          {"tiers", tiers}};
}

std::string optional_time(const std::optional<Instant>& at) {
  return at ? format_rfc3339(*at) : std::string();
}

// Request by request, for finding out why a replay breached what it did. Ids come from the
// input CSV, which has no commas inside fields (read_csv does not support quoting either).
bool write_request_outcomes(const std::string& path, const dispatch::ReplayResult& r) {
  std::ofstream out(path);
  out << "id,severity,technician,reported_at,assigned_at,arrived_at,finished_at,response_due,"
         "arrival_due,restore_due,arrival_minutes,km,breached\n";
  for (const auto& o : r.outcomes) {
    std::string breached;
    auto add = [&](bool b, const char* name) {
      if (!b) return;
      if (!breached.empty()) breached += ';';
      breached += name;
    };
    add(o.response_breached, "response");
    add(o.arrival_breached, "arrival");
    add(o.restore_breached, "restore");
    std::string minutes;
    if (o.arrived) {
      double m = std::chrono::duration<double>(*o.arrived - o.reported_at).count() / 60;
      minutes = std::to_string(std::round(m * 10) / 10);
      minutes.erase(minutes.find_last_not_of('0') + 1);
      if (minutes.back() == '.') minutes.pop_back();
    }
    out << o.id << ',' << to_string(o.severity) << ',' << o.technician << ','
        << format_rfc3339(o.reported_at) << ',' << optional_time(o.assigned) << ','
        << optional_time(o.arrived) << ',' << optional_time(o.finished) << ','
        << format_rfc3339(o.response_due) << ',' << format_rfc3339(o.arrival_due) << ','
        << format_rfc3339(o.restore_due) << ',' << minutes << ',' << std::round(o.km * 10) / 10
        << ',' << breached << '\n';
  }
  return static_cast<bool>(out);
}

Result<nlohmann::json> replay_folder(const ReplayCommand& cmd) {
  auto centers_csv = read_csv(cmd.folder, "centers.csv", {"id", "name", "lat", "lon", "time_zone"});
  if (!centers_csv) return std::unexpected(centers_csv.error());
  auto techs_csv = read_csv(cmd.folder, "technicians.csv",
                            {"id", "name", "lat", "lon", "skills", "center_id"});
  if (!techs_csv) return std::unexpected(techs_csv.error());
  auto requests_csv = read_csv(cmd.folder, "requests.csv",
                               {"id", "reported_at", "lat", "lon", "severity", "kind",
                                "required_skills", "service_minutes"});
  if (!requests_csv) return std::unexpected(requests_csv.error());

  std::vector<dispatch::ReplayCenter> centers;
  for (std::size_t i = 0; i < centers_csv->rows.size(); ++i) {
    const auto& row = centers_csv->rows[i];
    auto at = location(*centers_csv, row, i);
    if (!at) return std::unexpected(at.error());
    centers.push_back({row[centers_csv->column("id")], *at, row[centers_csv->column("time_zone")]});
  }
  if (centers.empty()) return fail(ErrorCode::validation_failed, "centers.csv has no centers");
  std::vector<dispatch::ReplayTechnician> technicians;
  for (std::size_t i = 0; i < techs_csv->rows.size(); ++i) {
    const auto& row = techs_csv->rows[i];
    auto at = location(*techs_csv, row, i);
    if (!at) return std::unexpected(at.error());
    technicians.push_back({row[techs_csv->column("id")], *at,
                           skills_of(row[techs_csv->column("skills")]),
                           row[techs_csv->column("center_id")]});
  }
  std::vector<dispatch::ReplayRequest> requests;
  const auto& t = *requests_csv;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const auto& row = t.rows[i];
    std::string where = "requests.csv row " + std::to_string(i + 1) + ": ";
    auto at = location(t, row, i);
    if (!at) return std::unexpected(at.error());
    auto reported = parse_rfc3339(row[t.column("reported_at")]);
    auto severity = parse_severity(row[t.column("severity")]);
    auto kind = parse_job_kind(row[t.column("kind")]);
    auto service = to_number(row[t.column("service_minutes")]);
    if (!reported) return fail(ErrorCode::validation_failed, where + "reported_at is not RFC 3339");
    if (!severity) return fail(ErrorCode::validation_failed, where + "unknown severity");
    if (!kind) return fail(ErrorCode::validation_failed, where + "unknown kind");
    if (!service || *service < 0 || *service > 100000) {
      return fail(ErrorCode::validation_failed,
                  where + "service_minutes must be a number of minutes");
    }
    requests.push_back({row[t.column("id")], *reported, *at, *severity, *kind,
                        skills_of(row[t.column("required_skills")]),
                        static_cast<int>(std::lround(*service))});
  }

  auto policy = dispatch::default_policy();
  if (!cmd.policy_file.empty()) {
    std::ifstream in(cmd.policy_file);
    std::stringstream text;
    text << in.rdbuf();
    auto doc = parse_json_object(text.str());
    if (!doc)
      return fail(ErrorCode::validation_failed, cmd.policy_file + ": " + doc.error().message);
    auto parsed = policy_from_json(*doc);
    if (!parsed) return std::unexpected(parsed.error());
    policy = *parsed;
  }
  dispatch::ReplayOptions options;
  options.strategy = cmd.strategy == "nearest" ? dispatch::ReplayStrategy::nearest
                                               : dispatch::ReplayStrategy::sla;
  options.move_up = !cmd.no_move_up;
  // The engine plans as the server would under this policy.
  options.replan = policy.dispatch.rolling_replan && !cmd.no_replan;
  options.optimizer_replan = !cmd.no_optimizer_replan;
  options.take_over = !cmd.no_take_over;
  options.rescue_sweep = !cmd.no_rescue;
  options.service_times.prior_minutes = policy.dispatch.service_minutes;
  dispatch::GeodesicTravel travel;
  auto result = dispatch::replay(centers, technicians, std::move(requests), policy, travel,
                                 options);
  if (!cmd.requests_out_file.empty() && !write_request_outcomes(cmd.requests_out_file, result))
    return fail(ErrorCode::validation_failed, "cannot write " + cmd.requests_out_file);
  return result_json(result);
}

}  // namespace

int run_replay(const ReplayCommand& command) {
  auto result = replay_folder(command);
  if (!result) {
    std::cerr << "replay: " << result.error().message << "\n";
    for (const auto& d : result.error().details) std::cerr << "  " << d << "\n";
    return 1;
  }
  std::string text = result->dump(2) + "\n";
  if (command.out_file.empty()) {
    std::cout << text;
  } else {
    std::ofstream out(command.out_file);
    out << text;
    if (!out) {
      std::cerr << "replay: cannot write " << command.out_file << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace fieldserve::server
