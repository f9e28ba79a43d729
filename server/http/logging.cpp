#include "server/http/logging.h"

#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

namespace fieldserve::server {
namespace {

std::atomic<LogFormat> g_format{LogFormat::text};

spdlog::level::level_enum spdlog_level(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return spdlog::level::debug;
    case LogLevel::info: return spdlog::level::info;
    case LogLevel::warn: return spdlog::level::warn;
    case LogLevel::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

void write_line(LogLevel app_level, std::string_view message,
                std::span<const app::LogField> fields);

}  // namespace

void setup_logging(LogFormat format) {
  g_format = format;
  auto logger = spdlog::stderr_logger_mt("fieldserve");
  spdlog::set_default_logger(logger);
  if (format == LogFormat::json_lines) {
    // The message is already a JSON object; time and level are added by log_event.
    spdlog::set_pattern("%v");
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  // A flush per line would cost a write(2) per request; errors still go out at once, everything
  // else within a second.
  spdlog::flush_on(spdlog::level::err);
  spdlog::flush_every(std::chrono::seconds(1));
  app::set_log_sink(&write_line);
}

namespace {

void write_line(LogLevel app_level, std::string_view message,
                std::span<const app::LogField> fields) {
  auto level = spdlog_level(app_level);
  if (!spdlog::should_log(level)) return;
  if (g_format == LogFormat::json_lines) {
    nlohmann::json line;
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    line["ts_ms"] = ms;
    line["level"] = spdlog::level::to_string_view(level).data();
    line["msg"] = message;
    for (const auto& [key, value] : fields) {
      std::visit([&](const auto& v) { line[std::string(key)] = v; }, value);
    }
    spdlog::log(level, "{}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  std::string text(message);
  for (const auto& [key, value] : fields) {
    text += ' ';
    text += key;
    text += '=';
    std::visit(
        [&](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) {
            text += v.find(' ') == std::string::npos ? v : nlohmann::json(v).dump();
          } else {
            text += std::to_string(v);
          }
        },
        value);
  }
  spdlog::log(level, "{}", text);
}

}  // namespace

}  // namespace fieldserve::server
