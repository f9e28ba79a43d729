#pragma once
// The reports' CSV answers (RFC 4180): CRLF rows, a field quoted only when it holds a comma, a
// quote or a line break, numbers written as their JSON counterparts show them (97.5, not 97.50).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/route.h"

namespace fieldserve::server {

class CsvTable {
 public:
  explicit CsvTable(const std::vector<std::string>& header);

  CsvTable& text(std::string_view value);
  CsvTable& integer(std::int64_t value);
  // At most `decimals` places, trailing zeros dropped; an empty field when there is no value.
  CsvTable& number(std::optional<double> value, int decimals);
  CsvTable& end_row();

  // The table as a download named `filename`.
  Reply reply(const std::string& filename) &&;

 private:
  void separate();
  std::string out_;
  bool row_started_ = false;
};

}  // namespace fieldserve::server
