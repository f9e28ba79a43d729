// The fast JSON path must be nlohmann, only quicker: whatever it accepts it must read exactly as
// nlohmann::json::parse does (values, integer signedness, the last of a repeated key), and
// whatever it writes must be byte for byte nlohmann's dump. Texts it does not take fall back,
// so these tests also insist it takes the ordinary push body.
#include "server/http/fast_json.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace fieldserve::server {
namespace {

using nlohmann::json;

// Equal values of the same types all the way down (json's operator== calls 1 and 1u equal).
bool same(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key() || !same(*ia, *ib)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

// Checks one text against nlohmann; true when the fast path took it.
bool agrees(const std::string& text) {
  auto fast = parse_json_fast(text, 32);
  json reference = json::parse(text, nullptr, false);
  if (!fast) return false;
  EXPECT_FALSE(reference.is_discarded()) << "fast path accepted what nlohmann refuses: " << text;
  EXPECT_TRUE(same(*fast, reference))
      << text << "\n fast: " << fast->dump() << "\n nlohmann: " << reference.dump();
  return true;
}

const std::string kPush =
    R"({"client_time":"2026-11-24T05:00:00Z","ops":[{"op_id":"0193a1b0-0000-7000-8000-000000000001",)"
    R"("type":"note","job_id":123,"at":"2026-11-24T05:00:00Z","payload":{"text":"pump \"A\"\n\\ ok"}},)"
    R"({"op_id":"0193a1b0-0000-7000-8000-000000000002","type":"parts_used","job_id":123,)"
    R"("at":"2026-11-24T05:00:01Z","payload":{"parts":[{"part_number":"CTL-9","qty":2}]}}]})";

TEST(FastJson, TakesAnOrdinaryPushAndReadsItAsNlohmannDoes) {
  EXPECT_TRUE(agrees(kPush));
  EXPECT_TRUE(agrees(" \t\r\n{ \"a\" : [ 1 , -2 , true , false , null , { } , [ ] ] } \n"));
  EXPECT_TRUE(agrees(R"({"esc":"\"\\\/\b\f\n\r\t","del":")" + std::string(1, '\x7f') + "\"}"));
}

TEST(FastJson, KeepsNlohmannsIntegerTypes) {
  auto v = parse_json_fast(R"({"zero":0,"minus_zero":-0,"neg":-5,"pos":123456789012345678})", 32);
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)["zero"].type(), json::value_t::number_unsigned);
  EXPECT_EQ((*v)["minus_zero"].type(), json::value_t::number_integer);
  EXPECT_EQ((*v)["neg"].type(), json::value_t::number_integer);
  EXPECT_EQ((*v)["pos"].get<std::uint64_t>(), 123456789012345678u);
  EXPECT_TRUE(agrees(R"({"zero":0,"minus_zero":-0,"neg":-5,"pos":123456789012345678})"));
  // 19 digits and more could overflow: nlohmann decides (integer, unsigned or float).
  EXPECT_FALSE(parse_json_fast("[1234567890123456789]", 32));
  EXPECT_FALSE(parse_json_fast("[-9223372036854775809]", 32));
}

TEST(FastJson, TheLastOfARepeatedKeyWins) {
  EXPECT_TRUE(agrees(R"({"a":1,"b":2,"a":{"c":3}})"));
  EXPECT_EQ((*parse_json_fast(R"({"a":1,"a":2})", 32))["a"], 2);
}

TEST(FastJson, LeavesEverythingOutsideItsSubsetToNlohmann) {
  for (const char* text : {"",
                           " ",
                           "{",
                           "}",
                           "{\"a\":}",
                           "{\"a\" 1}",
                           "{\"a\":1,}",
                           "[1,]",
                           "[,1]",
                           "{a:1}",
                           "{'a':1}",
                           "[01]",
                           "[-]",
                           "[1.5]",
                           "[1e3]",
                           "[1E3]",
                           "[-0.0]",
                           "[\"\\u0041\"]",
                           "[\"\xc3\xa9\"]",
                           "\xef\xbb\xbf{}",
                           "[\"a\tb\"]",
                           "[\"\\x\"]",
                           "[tru]",
                           "[nul]",
                           "[truex]",
                           "{}x",
                           "{} {}",
                           "[\"open]",
                           "[1 2]",
                           "{\"a\":1 \"b\":2}",
                           "// c\n{}",
                           "{\"a\":NaN}"}) {
    EXPECT_FALSE(parse_json_fast(text, 32)) << text;
  }
}

TEST(FastJson, GivesUpBeyondTheDepthLimit) {
  EXPECT_TRUE(parse_json_fast("[[[1]]]", 3));
  EXPECT_FALSE(parse_json_fast("[[[[1]]]]", 3));
  EXPECT_FALSE(parse_json_fast(R"({"a":{"b":{"c":{}}}})", 3));
}

// Random documents, written with random spacing and escapes, then mangled a byte at a time: the
// fast path must agree with nlohmann on every text it takes, and take most unmangled ones.
class RandomJson {
 public:
  explicit RandomJson(unsigned seed) : rng_(seed) {}

  std::string document() { return value(0); }

  std::string mangle(std::string text) {
    if (text.empty()) return text;
    std::uniform_int_distribution<std::size_t> at(0, text.size() - 1);
    const std::string alphabet = "{}[],:\"\\ 0-1.eEtfnu\x01\xc3\x7f";
    char c = alphabet[pick(alphabet.size())];
    switch (pick(3)) {
      case 0: text.erase(at(rng_), 1); break;
      case 1: text.insert(at(rng_), 1, c); break;
      default: text[at(rng_)] = c;
    }
    return text;
  }

 private:
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

  std::string space() {
    static const char* kSpaces[] = {"", "", "", " ", "\n", "\t ", "\r\n  "};
    return kSpaces[pick(7)];
  }

  std::string string_token() {
    std::string out = "\"";
    static const char* kPieces[] = {"a",   "Z",    "job",     "op_id",    " ",   "\\\"", "\\\\",
                                    "\\/", "\\n",  "\\t",     "\\b",      "\\f", "\\r",  "_",
                                    "9",   "\x7f", "\\u0041", "\xc3\xa9", "~"};
    auto n = pick(6);
    for (std::size_t i = 0; i < n; ++i) out += kPieces[pick(pick(8) == 0 ? 19 : 16)];
    return out + "\"";
  }

  std::string number_token() {
    static const char* kNumbers[] = {"0",
                                     "-0",
                                     "7",
                                     "-7",
                                     "42",
                                     "123456789012345678",
                                     "-123456789012345678",
                                     "999999999999999999",
                                     "1.5",
                                     "-2e3"};
    return kNumbers[pick(pick(6) == 0 ? 10 : 8)];
  }

  std::string value(int depth) {
    auto kind = depth > 4 ? 2 + pick(4) : pick(6);
    switch (kind) {
      case 0: {
        std::string out = "{" + space();
        auto n = pick(5);
        static const char* kKeys[] = {"\"a\"",       "\"b\"", "\"op_id\"",
                                      "\"\\u0061\"", "\"A\"", "\"\""};
        for (std::size_t i = 0; i < n; ++i) {
          if (i) out += space() + "," + space();
          out += (pick(3) ? std::string(kKeys[pick(6)]) : string_token()) + space() + ":" +
                 space() + value(depth + 1);
        }
        return out + space() + "}";
      }
      case 1: {
        std::string out = "[" + space();
        auto n = pick(5);
        for (std::size_t i = 0; i < n; ++i)
          out += (i ? space() + "," + space() : "") + value(depth + 1);
        return out + space() + "]";
      }
      case 2: return string_token();
      case 3: return number_token();
      case 4: return pick(2) ? "true" : "false";
      default: return "null";
    }
  }

  std::mt19937 rng_;
};

TEST(FastJson, AgreesWithNlohmannOnRandomAndMangledDocuments) {
  RandomJson random(20261124);
  int taken = 0, valid = 0, mangled_taken = 0;
  for (int i = 0; i < 20000; ++i) {
    auto text = random.document();
    if (i % 2 == 0) {
      ++valid;
      if (agrees(text)) ++taken;
    } else {
      auto bad = random.mangle(text);
      if (agrees(bad)) ++mangled_taken;
    }
    if (::testing::Test::HasFailure()) break;
  }
  // Most generated documents stay inside the subset, so the comparison above is not vacuous.
  EXPECT_GT(taken, valid / 3);
  EXPECT_GT(mangled_taken, 100);
}

TEST(FastJson, DumpsExactlyAsNlohmannOrDeclines) {
  RandomJson random(7);
  int fast = 0;
  for (int i = 0; i < 20000; ++i) {
    json value = json::parse(random.document(), nullptr, false);
    ASSERT_FALSE(value.is_discarded());
    auto reference = value.dump(-1, ' ', false, json::error_handler_t::replace);
    std::string out;
    if (dump_json_fast(value, out)) {
      ++fast;
      ASSERT_EQ(out, reference);
    }
    ASSERT_EQ(canonical_json(value), reference);
  }
  EXPECT_GT(fast, 5000);
  // Control characters nlohmann writes as \u00xx, in lower case.
  json control = std::string("a\x01\x1f\x7f", 4);
  std::string out;
  ASSERT_TRUE(dump_json_fast(control, out));
  EXPECT_EQ(out, control.dump());
  EXPECT_FALSE(dump_json_fast(json(1.5), out));
  EXPECT_FALSE(dump_json_fast(json("caf\xc3\xa9"), out));
  EXPECT_EQ(canonical_json(json("caf\xc3\xa9")), json("caf\xc3\xa9").dump());
}

TEST(FastJson, EscapesStringsAsNlohmannDoes) {
  // The pull renderer writes every string this way, UTF-8 included.
  for (std::string text :
       {std::string(""), std::string("plain"), std::string("q\"b\\s/"),
        std::string("\b\f\n\r\t\x01\x1f\x7f", 8),
        std::string("K\xc3\xa4lte \xe5\x8e\x8b\xe7\xbc\xa9\xe6\x9c\xba \xf0\x9f\x94\xa7")}) {
    std::string out;
    ASSERT_TRUE(append_json_escaped(out, text, false));
    EXPECT_EQ(out, json(text).dump()) << text;
  }
  std::string out;
  EXPECT_FALSE(append_json_escaped(out, "caf\xc3\xa9", true));
}

}  // namespace
}  // namespace fieldserve::server
