#pragma once
// The application layer in process: a temporary SQLite file, a clock the test moves by hand, the
// services wired as the server wires them (with plain stand-ins for the edge's renderers), and a
// log sink that records every line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "app/dispatcher.h"
#include "app/job_service.h"
#include "app/job_writer.h"
#include "app/log.h"
#include "app/policy_source.h"
#include "app/sla_ticker.h"
#include "app/sync_service.h"
#include "store/store.h"

namespace fieldserve::app {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant at) : at_(at) {}
  Instant now() const override {
    std::lock_guard lock(mutex_);
    return at_;
  }
  void advance(std::chrono::seconds by) {
    std::lock_guard lock(mutex_);
    at_ += by;
  }

 private:
  mutable std::mutex mutex_;
  Instant at_;
};

// Every line logged through app/log.h while a test runs.
struct LogLines {
  static std::vector<std::string>& lines() {
    static std::vector<std::string> lines;
    return lines;
  }
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static void sink(LogLevel, std::string_view message, std::span<const LogField> fields) {
    std::string line(message);
    for (const auto& [key, value] : fields) {
      line += ' ';
      line += key;
      line += '=';
      if (const auto* text = std::get_if<std::string>(&value)) line += *text;
      else if (const auto* n = std::get_if<std::int64_t>(&value)) line += std::to_string(*n);
      else line += std::to_string(std::get<double>(value));
    }
    std::lock_guard lock(mutex());
    lines().push_back(std::move(line));
  }
  static std::size_t count_containing(const std::string& text) {
    std::lock_guard lock(mutex());
    std::size_t n = 0;
    for (const auto& l : lines()) n += l.find(text) != std::string::npos;
    return n;
  }
};

inline const Instant kMonday10 = from_epoch_s(1'794'794'400);  // Mon 2026-11-16 10:00 Shanghai

class AppTest : public ::testing::Test {
 protected:
  std::string path = ::testing::TempDir() + "fieldserve_app_" + std::to_string(::getpid()) + "_" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
  ManualClock clock{kMonday10};
  std::unique_ptr<store::Store> store;
  PolicySource policy;
  JobWriter writer{policy, clock};
  Dispatcher dispatcher{writer, [](const dispatch::Decision& d) {
                          return std::to_string(d.candidates.size()) + " candidates";
                        }};
  JobService jobs{*store_ptr(), writer, dispatcher};
  CenterId center = 0;
  SiteId site = 0;
  TechnicianId tech = 0;
  Principal dispatcher_who{1, Role::dispatcher, "dispatcher", std::nullopt};

  store::Store* store_ptr() {
    if (!store) {
      remove_files();
      store = store::Store::open(path, 2);
    }
    return store.get();
  }

  void SetUp() override {
    set_log_sink(&LogLines::sink);
    {
      std::lock_guard lock(LogLines::mutex());
      LogLines::lines().clear();
    }
    std::tie(center, site, tech) = store->write([](store::Tx& tx) {
      Center c{.name = "Pudong", .location = {31.23, 121.47}, .time_zone = "Asia/Shanghai"};
      auto center_id = tx.insert_center(c);
      auto customer = tx.insert_customer(Customer{.name = "ACME"});
      auto site_id = tx.insert_site(Site{.customer_id = customer,
                                         .address = "1 Century Ave",
                                         .location = {31.24, 121.50},
                                         .center_id = center_id,
                                         .distance_km = 3.25});
      Technician t{.name = "Li Wei", .skills = {"hvac"}, .home_center_id = center_id};
      for (auto& day : t.shift) day = DaySpan{0, 1440};
      auto tech_id = tx.insert_technician(t);
      return std::tuple(center_id, site_id, tech_id);
    });
  }

  void TearDown() override {
    set_log_sink(nullptr);
    store.reset();
    remove_files();
  }

  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }

  std::vector<JobEvent> events_of(JobId id) {
    return store->read([&](store::Tx& tx) { return tx.events(id, store::Page{0, 500}); });
  }

  static std::size_t count_type(const std::vector<JobEvent>& events, const std::string& type) {
    std::size_t n = 0;
    for (const auto& e : events) n += e.type == type;
    return n;
  }
};

}  // namespace fieldserve::app
