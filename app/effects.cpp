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

void Effects::before_commit(std::string key, std::function<void(store::Tx&)> work) {
  for (const auto& [k, w] : before_commit_) {
    if (k == key) return;
  }
  before_commit_.emplace_back(std::move(key), std::move(work));
}

void Effects::finish(store::Tx& tx) {
  // Work may ask for more work (a refresh that writes a job asks for its unit again: skipped,
  // the key is taken), which would invalidate a range loop's iterators: walk by index.
  for (std::size_t i = 0; i < before_commit_.size(); ++i) {  // NOLINT(modernize-loop-convert)
    auto work = before_commit_[i].second;
    work(tx);
  }
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
