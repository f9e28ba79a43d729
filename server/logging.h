#pragma once
// One log line per event, as text ("message key=value ...") or as a JSON object per line
// (--log-format json), on stderr through spdlog.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

namespace fieldserve::server {

enum class LogFormat { text, json_lines };

void setup_logging(LogFormat format);

using LogValue = std::variant<std::string, std::int64_t, double>;
using LogField = std::pair<std::string_view, LogValue>;

void log_event(spdlog::level::level_enum level, std::string_view message,
               std::initializer_list<LogField> fields = {});

}  // namespace fieldserve::server
