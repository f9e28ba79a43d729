#pragma once
#include <stdexcept>
#include <string>

namespace fieldserve::store {

// A database fault (I/O, corruption, constraint broken by a bug). Not for expected failures.
class StoreError : public std::runtime_error {
 public:
  StoreError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// The database stayed locked past the busy timeout: the caller should answer 503 + Retry-After.
class StoreBusy : public StoreError {
 public:
  using StoreError::StoreError;
};

}  // namespace fieldserve::store
