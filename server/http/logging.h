#pragma once
// The process's log sink: one line per event on stderr through spdlog, as text
// ("message key=value ...") or as a JSON object per line (--log-format json). Every part logs
// through app/log.h; this is where the lines are written.
#include "app/log.h"

namespace fieldserve::server {

using app::log_event;
using app::LogLevel;

enum class LogFormat { text, json_lines };

// Installs the sink; call once at start, before any thread logs.
void setup_logging(LogFormat format);

}  // namespace fieldserve::server
