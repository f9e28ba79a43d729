#pragma once
// Log lines from the application layer. The layer does not pick a logging library: the edge
// installs a sink (server/http/logging.h writes text or JSON lines through spdlog); until then
// lines go nowhere, which is what in-process tests want.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace fieldserve::app {

enum class LogLevel { debug, info, warn, error };

using LogValue = std::variant<std::string, std::int64_t, double>;
using LogField = std::pair<std::string_view, LogValue>;

using LogSink = void (*)(LogLevel level, std::string_view message,
                         std::span<const LogField> fields);

// Installed once at start, before any thread logs.
void set_log_sink(LogSink sink);

void log_event(LogLevel level, std::string_view message,
               std::initializer_list<LogField> fields = {});
void log_event(LogLevel level, std::string_view message, std::span<const LogField> fields);

}  // namespace fieldserve::app
