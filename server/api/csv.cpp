#include "server/api/csv.h"

#include <cstdio>

namespace fieldserve::server {

CsvTable::CsvTable(const std::vector<std::string>& header) {
  for (const auto& column : header) text(column);
  end_row();
}

void CsvTable::separate() {
  if (row_started_) out_ += ',';
  row_started_ = true;
}

CsvTable& CsvTable::text(std::string_view value) {
  separate();
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out_ += value;
    return *this;
  }
  out_ += '"';
  for (char c : value) {
    if (c == '"') out_ += '"';
    out_ += c;
  }
  out_ += '"';
  return *this;
}

CsvTable& CsvTable::integer(std::int64_t value) {
  separate();
  out_ += std::to_string(value);
  return *this;
}

CsvTable& CsvTable::number(std::optional<double> value, int decimals) {
  separate();
  if (!value) return *this;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *value);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  out_ += s;
  return *this;
}

CsvTable& CsvTable::end_row() {
  out_ += "\r\n";
  row_started_ = false;
  return *this;
}

Reply CsvTable::reply(const std::string& filename) && {
  Reply r;
  r.text = std::move(out_);
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return r;
}

}  // namespace fieldserve::server
