#include "server/http/fast_json.h"

#include <charconv>
#include <cstdint>
#include <utility>

namespace fieldserve::server {
namespace {

using json = nlohmann::json;

// The short escapes, as nlohmann reads and writes them: the letter after the backslash and the
// character it stands for. ("\/" is read too, but never written.)
constexpr std::pair<char, char> kShortEscapes[] = {
    {'"', '"'}, {'\\', '\\'}, {'b', '\b'}, {'f', '\f'}, {'n', '\n'}, {'r', '\r'}, {'t', '\t'}};

std::optional<char> unescaped(char letter) {
  for (auto [l, c] : kShortEscapes) {
    if (l == letter) return c;
  }
  return std::nullopt;
}

std::optional<char> escape_letter(char c) {
  for (auto [l, ch] : kShortEscapes) {
    if (ch == c) return l;
  }
  return std::nullopt;
}

// Digits an integer may have on the fast path: 18 always fit an int64, so no overflow checks.
constexpr int kMaxFastDigits = 18;

class FastParser {
 public:
  FastParser(std::string_view text, int max_depth)
      : p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  bool document(json& out) {
    skip_space();
    if (!value(out, 0)) return false;
    skip_space();
    return p_ == end_;
  }

 private:
  void skip_space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool value(json& out, int depth) {
    if (p_ >= end_) return false;
    switch (*p_) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': {
        std::string text;
        if (!string(text)) return false;
        out = json(std::move(text));
        return true;
      }
      case 't': return literal("true", json(true), out);
      case 'f': return literal("false", json(false), out);
      case 'n': return literal("null", json(nullptr), out);
      default: return number(out);
    }
  }

  bool object(json& out, int depth) {
    if (depth > max_depth_) return false;
    out = json::object();
    auto& members = out.get_ref<json::object_t&>();
    return sequence('}', [&] {
      if (p_ >= end_ || *p_ != '"') return false;
      std::string key;
      if (!string(key)) return false;
      skip_space();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      skip_space();
      json member;
      if (!value(member, depth)) return false;
      members.insert_or_assign(std::move(key), std::move(member));  // the last of a repeated key
      return true;
    });
  }

  bool array(json& out, int depth) {
    if (depth > max_depth_) return false;
    out = json::array();
    auto& items = out.get_ref<json::array_t&>();
    return sequence(']', [&] {
      items.emplace_back();
      return value(items.back(), depth);
    });
  }

  // The comma-separated elements between the opening bracket (at p_) and `close`; none is fine,
  // a trailing comma is not.
  template <class Element>
  bool sequence(char close, Element&& element) {
    ++p_;
    skip_space();
    if (p_ < end_ && *p_ == close) {
      ++p_;
      return true;
    }
    for (;;) {
      skip_space();
      if (!element()) return false;
      skip_space();
      if (p_ >= end_) return false;
      if (*p_ == close) {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  // Plain ASCII with the short escapes; \u escapes and bytes outside ASCII leave the fast path.
  bool string(std::string& out) {
    ++p_;
    for (;;) {
      const char* run = p_;
      while (p_ < end_) {
        auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p_;
      }
      out.append(run, p_);
      if (p_ >= end_) return false;
      char c = *p_++;
      if (c == '"') return true;
      if (c != '\\' || p_ >= end_) return false;
      char letter = *p_++;
      if (letter == '/') {  // accepted when read, never written
        out += '/';
        continue;
      }
      auto decoded = unescaped(letter);
      if (!decoded) return false;
      out += *decoded;
    }
  }

  bool literal(std::string_view word, json value, json& out) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    out = std::move(value);
    return true;
  }

  // Integers only; a fraction or exponent leaves the fast path, as does a leading zero (an error).
  bool number(json& out) {
    bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
    std::uint64_t magnitude = 0;
    int digits = 0;
    if (*p_ == '0') {
      ++p_;
      digits = 1;
    } else {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
        if (++digits > kMaxFastDigits) return false;
        magnitude = magnitude * 10 + static_cast<std::uint64_t>(*p_ - '0');
        ++p_;
      }
    }
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E' || (*p_ >= '0' && *p_ <= '9'))) {
      return false;
    }
    // nlohmann keeps a negative integer (even -0) signed and any other unsigned.
    if (negative) out = json(-static_cast<std::int64_t>(magnitude));
    else out = json(magnitude);
    return true;
  }

  const char* p_;
  const char* end_;
  int max_depth_;
};

template <class Integer>
void append_integer(Integer value, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

}  // namespace

bool append_json_escaped(std::string& out, std::string_view text, bool ascii_only) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const char* run = p;
    while (p < end) {
      auto c = static_cast<unsigned char>(*p);
      if (c == '"' || c == '\\' || c < 0x20 || (ascii_only && c >= 0x80)) break;
      ++p;
    }
    out.append(run, p);
    if (p >= end) break;
    auto c = static_cast<unsigned char>(*p++);
    if (auto letter = escape_letter(static_cast<char>(c))) {
      out += '\\';
      out += *letter;
    } else if (c >= 0x80) {
      return false;  // UTF-8: nlohmann checks it and may replace bytes
    } else {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  out += '"';
  return true;
}

std::optional<json> parse_json_fast(std::string_view text, int max_depth) {
  json value;
  FastParser parser(text, max_depth);
  if (!parser.document(value)) return std::nullopt;
  return value;
}

bool dump_json_fast(const json& value, std::string& out) {
  switch (value.type()) {
    case json::value_t::null: out += "null"; return true;
    case json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return true;
    case json::value_t::number_integer:
      append_integer(value.get<json::number_integer_t>(), out);
      return true;
    case json::value_t::number_unsigned:
      append_integer(value.get<json::number_unsigned_t>(), out);
      return true;
    case json::value_t::string:
      return append_json_escaped(out, value.get_ref<const json::string_t&>(), true);
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        if (!append_json_escaped(out, key, true)) return false;
        out += ':';
        if (!dump_json_fast(member, out)) return false;
      }
      out += '}';
      return true;
    }
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value.get_ref<const json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        if (!dump_json_fast(item, out)) return false;
      }
      out += ']';
      return true;
    }
    default:  // floats (nlohmann's shortest round-trip form), binary, discarded
      return false;
  }
}

std::string canonical_json(const json& value) {
  std::string out;
  out.reserve(256);  // a pushed op's text: one allocation instead of a doubling series
  if (dump_json_fast(value, out)) return out;
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace fieldserve::server
