#include "server/api/services.h"

#include "server/api/json/decision_json.h"
#include "server/api/json/policy_json.h"
#include "server/api/json/resource_json.h"
#include "server/api/json/sync_json.h"
#include "server/http/json_body.h"
#include "server/http/logging.h"

namespace fieldserve::server {
namespace {

Result<dispatch::SlaPolicy> parse_policy(const std::string& document) {
  // The document was checked when it was stored; the depth cap is for one written behind the
  // server's back.
  auto json = parse_json_object(document);
  if (!json) return std::unexpected(json.error());
  return policy_from_json(*json);
}

app::PolicySource stored_policy(store::Store& store) {
  auto stored = store.read([](store::Tx& tx) { return tx.setting("sla_policy"); });
  if (!stored) return app::PolicySource(dispatch::default_policy());
  auto parsed = parse_policy(*stored);
  if (parsed) return app::PolicySource(std::move(*parsed), *stored);
  log_event(LogLevel::error, "the stored SLA policy is not valid; using the defaults",
            {{"error", parsed.error().message}});
  return app::PolicySource(dispatch::default_policy(), *stored);
}

// The audit log keeps each field of a customer record as the API shows it: its JSON text.
app::AuditFields audit_fields(const nlohmann::json& record) {
  app::AuditFields fields;
  for (const auto& [name, value] : record.items()) fields.emplace_back(name, value.dump());
  return fields;
}

app::AuditEncoders audit_encoders() {
  return {
      [](const Customer& c) { return audit_fields(customer_json(c)); },
      [](const Site& s, const dispatch::SlaPolicy& p) { return audit_fields(site_json(s, p)); },
      [](const Equipment& e) { return audit_fields(equipment_json(e)); },
  };
}

}  // namespace

Services::Services(store::Store& store_, const Clock& clock_, ServiceOptions options)
    : store(store_),
      clock(clock_),
      policy(stored_policy(store_)),
      writer(policy, clock_),
      dispatcher(writer, candidates_json),
      jobs(store_, writer, dispatcher),
      facts(store_),
      warranty(store_, writer),
      complaints(store_, policy, clock_),
      follow_ups(store_, clock_),
      places(store_, writer, dispatcher, audit_encoders()),
      reports(store_, clock_, dispatcher.travel(), options.costs),
      sync(store_, writer, dispatcher, append_job_document, {options.group_commit}),
      staff_feed(store_),
      auth(store_, clock_),
      limiter(options.rate_per_s, options.rate_burst),
      job_renders(options.job_render_capacity) {
  policy.follow_with(parse_policy);
}

}  // namespace fieldserve::server
