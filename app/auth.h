#pragma once
// Bearer tokens: 256 random bits shown once, stored as SHA-256, checked on every request.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/error.h"
#include "domain/model.h"
#include "store/store.h"

namespace fieldserve::app {

struct Principal {
  TokenId token_id = 0;
  Role role = Role::technician;
  std::string name;
  std::optional<TechnicianId> technician_id;

  std::string actor() const { return "token:" + std::to_string(token_id); }
};

// "fs_" followed by 64 hex digits from the OS's CSPRNG (OpenSSL RAND_bytes).
std::string generate_token();
std::string sha256_hex(const std::string& text);

// Creates a token row and returns {id, token text}. The text exists only in the return value.
struct IssuedToken {
  TokenId id;
  std::string token;
};
IssuedToken issue_token(store::Tx& tx, Role role, const std::string& name,
                        std::optional<TechnicianId> technician_id, Instant now);

class Authenticator {
 public:
  Authenticator(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // unauthorized for a missing, malformed, unknown or revoked token.
  Result<Principal> authenticate(const std::string& authorization_header);
  // A new token for `technician_id` (which must exist) or for a person in `role`.
  Result<IssuedToken> create(Role role, const std::string& name,
                             std::optional<TechnicianId> technician_id);
  std::vector<Token> tokens(const store::Page& page);
  // Revokes a token: false if there is none with this id. Its next request is refused, here at
  // once and by other processes on the same database within kRecheckAfter.
  bool revoke(TokenId id);
  // The next request with that token reads its row again.
  void forget(TokenId id);

 private:
  struct Cached {
    Principal principal;
    std::chrono::steady_clock::time_point checked;
    Instant last_touched;
  };
  store::Store& store_;
  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> by_hash_;
  // Bumped by forget(): a token row read before a revocation must not be cached after it.
  std::uint64_t revocations_ = 0;
};

}  // namespace fieldserve::app
