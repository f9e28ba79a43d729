#pragma once
// A fast path for the JSON every device push is made of: plain ASCII text, integers, objects and
// arrays. nlohmann's lexer reads about 130 MB/s and its dump walks UTF-8 byte by byte; on a
// 10-op push they were a fifth of a request thread's time. Both functions here give up on
// anything outside that subset (floats, \u escapes, non-ASCII bytes, long numbers, errors) and
// the caller then uses nlohmann, so every answer, error message and digest stays nlohmann's.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace fieldserve::server {

// The value nlohmann::json::parse would return for `text`, or nullopt when the text is not in
// the subset above (including every text nlohmann would refuse). Integers come back as
// number_unsigned when not negative and number_integer when negative, as nlohmann makes them;
// a repeated key keeps its last value. Nesting deeper than `max_depth` gives up too.
std::optional<nlohmann::json> parse_json_fast(std::string_view text, int max_depth);

// value.dump(-1, ' ', false, replace) appended to `out`, or false (with `out` unspecified) when
// the value holds a float, a binary, or a string with a byte outside ASCII.
bool dump_json_fast(const nlohmann::json& value, std::string& out);

// `text` as a JSON string, escaped as nlohmann's dump escapes it (\b \f \n \r \t, other control
// characters as \u00xx in lower case). With `ascii_only`, false at the first byte outside ASCII
// (nlohmann would check its UTF-8); otherwise such bytes are copied as they are.
bool append_json_escaped(std::string& out, std::string_view text, bool ascii_only);

// The canonical text of a value (nlohmann's compact dump, keys sorted), by the fast path when it
// can.
std::string canonical_json(const nlohmann::json& value);

}  // namespace fieldserve::server
