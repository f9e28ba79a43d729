#include "app/log.h"

#include <atomic>

namespace fieldserve::app {
namespace {

std::atomic<LogSink> g_sink{nullptr};

}  // namespace

void set_log_sink(LogSink sink) { g_sink.store(sink); }

void log_event(LogLevel level, std::string_view message, std::span<const LogField> fields) {
  if (auto sink = g_sink.load(std::memory_order_relaxed)) sink(level, message, fields);
}

void log_event(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  log_event(level, message, std::span<const LogField>(fields.begin(), fields.size()));
}

}  // namespace fieldserve::app
