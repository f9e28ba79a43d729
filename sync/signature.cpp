#include "sync/signature.h"

#include <array>

namespace fieldserve::sync {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int, 256> decode_table() {
  std::array<int, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  return t;
}

constexpr std::string_view kPngMagic{"\x89PNG\r\n\x1a\n", 8};
// The last chunk of every PNG: length 0, "IEND", its CRC.
constexpr std::string_view kPngEnd{"\0\0\0\0IEND\xae\x42\x60\x82", 12};

std::unexpected<Error> invalid(const std::string& why) {
  return fail(ErrorCode::invalid_signature, "signature_png " + why);
}

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  static constexpr auto table = decode_table();
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = table[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string encode_base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                      (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                      static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> decode_signature_png(std::string_view base64) {
  // Checked before decoding so a huge field costs nothing.
  if (base64.size() > (kMaxSignatureBytes + 2) / 3 * 4) {
    return invalid("is larger than " + std::to_string(kMaxSignatureBytes / 1024) + " KiB");
  }
  auto bytes = decode_base64(base64);
  if (!bytes) return invalid("is not valid base64");
  if (bytes->size() > kMaxSignatureBytes) {
    return invalid("is larger than " + std::to_string(kMaxSignatureBytes / 1024) + " KiB");
  }
  std::string_view png(*bytes);
  if (png.size() < kPngMagic.size() + 25 + kPngEnd.size() || !png.starts_with(kPngMagic)) {
    return invalid("is not a PNG image");
  }
  if (png.substr(12, 4) != "IHDR") return invalid("is not a PNG image (no IHDR chunk first)");
  if (!png.ends_with(kPngEnd)) return invalid("is cut short (no IEND chunk at the end)");
  return std::move(*bytes);
}

}  // namespace fieldserve::sync
