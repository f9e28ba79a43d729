#pragma once
// After-commit effects. A transaction body does not touch anything outside the database (log
// lines, caches, the dispatcher's index): it adds what should happen to an Effects, and the
// effects run once, after the transaction that holds the body's changes has committed. A body that
// rolls back, or runs again under group commit, leaves no trace outside the database: the effects
// of every attempt but the committed one are dropped unseen.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "app/log.h"
#include "store/store.h"

namespace fieldserve::app {

class Effects {
 public:
  using Field = std::pair<std::string, LogValue>;

  void after_commit(std::function<void()> effect) { effects_.push_back(std::move(effect)); }
  void log(LogLevel level, std::string message, std::vector<Field> fields = {});

  // Work for the end of the body's transaction, inside it, once per key however often it is
  // asked for: a write that touches several repair jobs of a unit works out the unit's warranty
  // blocks once, after its status events are in (JobWriter).
  void before_commit(std::string key, std::function<void(store::Tx&)> work);
  // Runs the before-commit work in the order asked (write() calls it when the body succeeds).
  void finish(store::Tx& tx);

  // Forgets everything added: a new attempt of the body begins.
  void clear() {
    effects_.clear();
    before_commit_.clear();
  }
  std::size_t size() const { return effects_.size(); }

  // Runs every effect once, in the order added, then forgets them. An effect that throws is
  // logged and the others still run: the transaction has committed, there is nothing to undo.
  void run();

 private:
  std::vector<std::function<void()>> effects_;
  std::vector<std::pair<std::string, std::function<void(store::Tx&)>>> before_commit_;
};

namespace detail {

// Runs `body(tx, effects)` through `transact` (one of the store's write calls), each attempt with
// the effects of earlier attempts forgotten; runs the effects once if the result is not an error.
template <class Transact, class F>
auto with_effects(Transact transact, F& body) {
  Effects effects;
  auto result = transact([&](store::Tx& tx) {
    effects.clear();
    auto answer = body(tx, effects);
    bool ok = true;
    if constexpr (store::kIsExpected<decltype(answer)>) ok = answer.has_value();
    if (ok) effects.finish(tx);
    return answer;
  });
  if constexpr (store::kIsExpected<decltype(result)>) {
    if (!result) return result;
  }
  effects.run();
  return result;
}

}  // namespace detail

// store.write with effects: `body(tx, effects)`; the effects run after the commit, and not at all
// when the body returns an error (rolled back) or anything throws.
template <class F>
auto write(store::Store& store, F&& body) {
  return detail::with_effects([&](auto&& tx_body) { return store.write(tx_body); }, body);
}

// store.write_grouped with effects; the body may run more than once (see Store::write_grouped),
// and only the effects of the attempt that committed run.
template <class F>
auto write_grouped(store::Store& store, F&& body) {
  return detail::with_effects([&](auto&& tx_body) { return store.write_grouped(tx_body); }, body);
}

}  // namespace fieldserve::app
