#include "server/cli/device.h"

#include <httplib.h>
#include <openssl/rand.h>

#include <fmt/format.h>
#include <array>

namespace fieldserve::server {
namespace {

httplib::Client client(const DeviceLink& link) {
  httplib::Client c(link.url);
  c.set_connection_timeout(2, 0);
  c.set_read_timeout(15, 0);
  c.set_write_timeout(15, 0);
  c.set_bearer_token_auth(link.token);
  c.set_keep_alive(false);
  return c;
}

}  // namespace

namespace {

std::string uuid_text(const std::array<unsigned char, 16>& b) {
  std::string hex;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
    hex += fmt::format("{:02x}", b[i]);
  }
  return hex;
}

std::array<unsigned char, 16> random_bytes() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return b;
}

}  // namespace

std::string new_uuid() {
  auto b = random_bytes();
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return uuid_text(b);
}

std::string new_uuid_v7(std::chrono::system_clock::time_point now) {
  auto b = random_bytes();
  auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  for (int i = 0; i < 6; ++i)
    b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return uuid_text(b);
}

std::string Device::record(const std::string& type, std::optional<JobId> job,
                           const nlohmann::json& payload, Instant at) {
  std::string op_id = new_uuid_v7(std::chrono::system_clock::now());
  nlohmann::json op{
      {"op_id", op_id}, {"type", type}, {"at", format_rfc3339(at)}, {"payload", payload}};
  if (job) op["job_id"] = *job;
  outbox_.add(op_id, op.dump());
  return op_id;
}

PushOutcome Device::push(const DeviceLink& link, int batch,
                         const std::function<Instant()>& device_clock) {
  PushOutcome outcome;
  auto http = client(link);
  while (true) {
    auto ops = outbox_.pending(batch);
    if (ops.empty()) {
      outcome.reached = true;
      return outcome;
    }
    // The stored texts are sent as they are: a resend is the same op, byte for byte.
    std::string body = R"({"client_time":")" + format_rfc3339(device_clock()) + R"(","ops":[)";
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      body += (i ? "," : "") + ops[i].body;
      ids.push_back(ops[i].op_id);
    }
    body += "]}";
    outbox_.mark_sent(ids);
    ++outcome.pushes;
    auto res = http.Post("/api/v1/sync/push", body, "application/json");
    outcome.http_status = res ? res->status : 0;
    if (!res || res->status != 200) return outcome;
    auto answer = nlohmann::json::parse(res->body, nullptr, false);
    if (!answer.is_object() || !answer.contains("results") || !answer["results"].is_array() ||
        answer["results"].size() != ops.size()) {
      return outcome;
    }
    std::vector<store::Outbox::Answer> answers;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const auto& r = answer["results"][i];
      store::Outbox::Answer a{ids[i], r.value("status", "rejected"), r.value("code", ""), false};
      if (a.status == "duplicate" && r.contains("first") && r["first"].is_object()) {
        a.duplicate = true;
        a.status = r["first"].value("status", "duplicate");
        a.code = r["first"].value("code", "");
      }
      answers.push_back(std::move(a));
    }
    outbox_.record_answers(answers);
    outcome.answered += static_cast<int>(ops.size());
  }
}

PullOutcome Device::pull(const DeviceLink& link, int limit) {
  PullOutcome outcome;
  auto http = client(link);
  bool start_over = false, replace_cache = false, started_over = false;
  for (int page = 0; page < 10000; ++page) {
    std::string path = "/api/v1/sync/pull?limit=" + std::to_string(limit);
    auto cursor = start_over ? std::nullopt : outbox_.cursor();
    start_over = false;
    if (cursor) path += "&cursor=" + *cursor;
    auto res = http.Get(path);
    if (res && res->status == 400 && cursor && !started_over &&
        res->body.find("\"invalid_cursor\"") != std::string::npos) {
      // A cursor the server no longer reads (a damaged cache, another server): start over, once,
      // with a snapshot that replaces the job cache.
      start_over = replace_cache = started_over = true;
      continue;
    }
    if (!res || res->status != 200) return outcome;
    auto answer = nlohmann::json::parse(res->body, nullptr, false);
    if (!answer.is_object()) return outcome;
    ++outcome.pages;
    bool reset = answer.value("reset", false) || replace_cache;
    replace_cache = false;
    outcome.reset = outcome.reset || reset;
    std::vector<std::pair<std::int64_t, std::string>> upserted;
    for (const auto& doc : answer["jobs"]["upserted"]) {
      upserted.emplace_back(doc["id"].get<std::int64_t>(), doc.dump());
    }
    std::vector<std::int64_t> removed;
    for (const auto& r : answer["jobs"]["removed"]) removed.push_back(r["id"].get<std::int64_t>());
    outbox_.apply_page(reset, upserted, removed, answer["cursor"].get<std::string>());
    outcome.upserted += static_cast<int>(upserted.size());
    outcome.removed += static_cast<int>(removed.size());
    if (!answer.value("has_more", false)) {
      outcome.reached = true;
      return outcome;
    }
  }
  return outcome;
}

}  // namespace fieldserve::server
