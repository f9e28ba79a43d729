#include "server/api/support.h"

#include "server/api/json/resource_json.h"

namespace fieldserve::server {

void record_changes(store::Tx& tx, const std::string& entity, std::int64_t id,
                    const std::string& action, const nlohmann::json& before,
                    const nlohmann::json& after, const std::string& actor, Instant at) {
  for (const auto& [field, value] : after.items()) {
    if (field == "version" || field == "id") continue;
    auto old_it = before.find(field);
    std::string old_text = old_it == before.end() ? "" : old_it->dump();
    std::string new_text = value.dump();
    if (old_it != before.end() && *old_it == value) continue;
    AuditEntry e;
    e.entity = entity;
    e.entity_id = id;
    e.action = action;
    e.field = field;
    e.old_value = old_text;
    e.new_value = new_text;
    e.actor = actor;
    e.at = at;
    tx.insert_audit(e);
  }
}

std::function<void(const Site&, const Site&)> site_auditor(Services& s, store::Tx& tx,
                                                           std::string actor, Instant at) {
  return [&s, &tx, actor = std::move(actor), at](const Site& before, const Site& after) {
    auto policy = s.policy.policy();
    record_changes(tx, "site", after.id, "update", site_json(before, policy),
                   site_json(after, policy), actor, at);
  };
}

}  // namespace fieldserve::server
