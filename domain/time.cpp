#include "domain/time.h"

#include <cstdio>

namespace fieldserve {
namespace {

bool read_digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  out = value;
  return true;
}

}  // namespace

std::optional<Instant> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !read_digits(s, 5, 2, month) ||
      s[7] != '-' || !read_digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !read_digits(s, 11, 2, hour) || s[13] != ':' || !read_digits(s, 14, 2, minute) ||
      s[16] != ':' || !read_digits(s, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  int offset_min = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (!read_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !read_digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  // Leap seconds (:60) are not representable in sys_seconds; reject rather than shift silently.
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  auto local = sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second};
  return Instant{local - minutes{offset_min}};
}

void append_rfc3339(std::string& out, Instant at) {
  using namespace std::chrono;
  auto day = floor<days>(at);
  year_month_day ymd{day};
  hh_mm_ss hms{at - day};
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", year,
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                  static_cast<long long>(hms.seconds().count()));
    out += buf;
    return;
  }
  // Written digit by digit into the caller's buffer: list and pull pages format a dozen times
  // per job, and snprintf into a string of its own was a tenth of their cost.
  std::size_t at_pos = out.size();
  out.resize(at_pos + 20);
  char* p = out.data() + at_pos;
  auto put = [&](std::size_t pos, long value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[pos + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  p[4] = '-';
  put(5, static_cast<long>(static_cast<unsigned>(ymd.month())), 2);
  p[7] = '-';
  put(8, static_cast<long>(static_cast<unsigned>(ymd.day())), 2);
  p[10] = 'T';
  put(11, static_cast<long>(hms.hours().count()), 2);
  p[13] = ':';
  put(14, static_cast<long>(hms.minutes().count()), 2);
  p[16] = ':';
  put(17, static_cast<long>(hms.seconds().count()), 2);
  p[19] = 'Z';
}

std::string format_rfc3339(Instant at) {
  std::string out;
  out.reserve(20);
  append_rfc3339(out, at);
  return out;
}

Instant SystemClock::now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace fieldserve
