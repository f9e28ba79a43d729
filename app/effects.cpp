#include "app/effects.h"

#include <exception>

namespace fieldserve::app {

void Effects::log(LogLevel level, std::string message, std::vector<Field> fields) {
  after_commit([level, message = std::move(message), fields = std::move(fields)] {
    std::vector<LogField> view;
    view.reserve(fields.size());
    for (const auto& [key, value] : fields) view.emplace_back(key, value);
    log_event(level, message, std::span<const LogField>(view));
  });
}

void Effects::run() {
  auto effects = std::move(effects_);
  effects_.clear();
  for (auto& effect : effects) {
    try {
      effect();
    } catch (const std::exception& e) {
      log_event(LogLevel::error, "after-commit effect failed", {{"error", std::string(e.what())}});
    }
  }
}

}  // namespace fieldserve::app
