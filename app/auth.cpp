#include "app/auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace fieldserve::app {
namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

// Revocation through this process is immediate (forget); a revocation made by another instance
// on the same database is seen within this time: a second, the bound docs/architecture.md
// ("Several instances") promises, for one indexed read per token per second and instance.
constexpr auto kRecheckAfter = std::chrono::seconds(1);
// last_used_at is a hint for admins, not an audit trail: write it at most once a minute.
constexpr auto kTouchEvery = std::chrono::seconds(60);

}  // namespace

std::string generate_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return "fs_" + to_hex(bytes, sizeof bytes);
}

std::string sha256_hex(const std::string& text) {
  // Fetched once: with EVP_sha256() OpenSSL 3 looks the algorithm up again on every call, which
  // was two thirds of the cost of hashing a pushed op (ten per push, one per request's token).
  static EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  const EVP_MD* sha256 = fetched ? fetched : EVP_sha256();  // slow, but never stuck failing
  // One context per thread, reused: EVP_Digest allocates and frees one per call.
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context context;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!context.ctx || EVP_DigestInit_ex2(context.ctx, sha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.ctx, text.data(), text.size()) != 1 ||
      EVP_DigestFinal_ex(context.ctx, digest, &size) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return to_hex(digest, size);
}

IssuedToken issue_token(store::Tx& tx, Role role, const std::string& name,
                        std::optional<TechnicianId> technician_id, Instant now) {
  Token t;
  t.role = role;
  t.name = name;
  t.technician_id = technician_id;
  t.created_at = now;
  std::string token = generate_token();
  TokenId id = tx.insert_token(t, sha256_hex(token));
  return {id, token};
}

Result<Principal> Authenticator::authenticate(const std::string& header) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.empty()) {
    return fail(ErrorCode::unauthorized, "send Authorization: Bearer <token>");
  }
  // The scheme name is case-insensitive (RFC 7235 section 2.1): "bearer" is as good as "Bearer".
  auto scheme_is_bearer = [&] {
    return std::equal(kPrefix.begin(), kPrefix.end(), header.begin(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) ==
             std::tolower(static_cast<unsigned char>(b));
    });
  };
  if (header.size() <= kPrefix.size() || header.size() > 200 || !scheme_is_bearer()) {
    return fail(ErrorCode::unauthorized, "the Authorization header must be 'Bearer <token>'");
  }
  std::string hash = sha256_hex(header.substr(kPrefix.size()));
  auto now_steady = std::chrono::steady_clock::now();
  Instant now = clock_.now();
  std::uint64_t revocations_seen = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = by_hash_.find(hash);
    if (it != by_hash_.end() && now_steady - it->second.checked < kRecheckAfter) {
      return it->second.principal;
    }
    revocations_seen = revocations_;
  }
  auto token = store_.read([&](store::Tx& tx) { return tx.token_by_hash(hash); });
  if (!token || token->revoked) {
    std::lock_guard lock(mutex_);
    by_hash_.erase(hash);
    return fail(ErrorCode::unauthorized, "the token is unknown or revoked");
  }
  Principal p{token->id, token->role, token->name, token->technician_id};
  bool touch = !token->last_used_at || now - *token->last_used_at >= kTouchEvery;
  {
    std::lock_guard lock(mutex_);
    // A revocation committed while the row was being read: answer this request from the row,
    // but do not cache it, so the next request reads the revocation.
    if (revocations_ == revocations_seen) {
      auto& cached = by_hash_[hash];
      if (touch && cached.last_touched + kTouchEvery > now) touch = false;
      if (touch) cached.last_touched = now;
      cached.principal = p;
      cached.checked = now_steady;
    }
  }
  if (touch) {
    store_.write([&](store::Tx& tx) {
      tx.touch_token(token->id, now);
      return true;
    });
  }
  return p;
}

void Authenticator::forget(TokenId id) {
  std::lock_guard lock(mutex_);
  ++revocations_;
  std::erase_if(by_hash_, [&](const auto& item) { return item.second.principal.token_id == id; });
}

Result<IssuedToken> Authenticator::create(Role role, const std::string& name,
                                          std::optional<TechnicianId> technician_id) {
  auto now = clock_.now();
  return store_.write([&](store::Tx& tx) -> Result<IssuedToken> {
    if (technician_id && !tx.technician(*technician_id)) {
      return fail(ErrorCode::unknown_reference,
                  "technician_id " + std::to_string(*technician_id) + " does not exist");
    }
    return issue_token(tx, role, name, technician_id, now);
  });
}

std::vector<Token> Authenticator::tokens(const store::Page& page) {
  return store_.read([&](store::Tx& tx) { return tx.tokens(page); });
}

bool Authenticator::revoke(TokenId id) {
  bool found = store_.write([&](store::Tx& tx) { return tx.revoke_token(id); });
  if (found) forget(id);
  return found;
}

}  // namespace fieldserve::app
