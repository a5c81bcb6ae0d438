#include "tradebus/transport/redis/stream_wire.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "tradebus/persistence/event_codec.hpp"

namespace tradebus::redis {

void append_event(const Event& e, std::string& blob) {
  const std::size_t at = blob.size();
  blob.append(4, '\0');
  encode_event(e, blob);
  const auto n = static_cast<std::uint32_t>(blob.size() - at - 4);
  for (int i = 0; i < 4; ++i)
    blob[at + static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
}

bool decode_entry(const StreamEntry& entry, std::vector<Event>& out, std::string& error) {
  if (!entry.fields.is_array()) {
    error = "the entry has no fields (deleted or trimmed while pending)";
    return false;
  }
  const auto& f = entry.fields.elements;
  std::string_view version, blob;
  bool has_version = false, has_blob = false;
  for (std::size_t i = 0; i + 1 < f.size(); i += 2) {
    if (f[i].str == "v") {
      version = f[i + 1].str;
      has_version = true;
    } else if (f[i].str == "e") {
      blob = f[i + 1].str;
      has_blob = true;
    }
  }
  if (!has_version || !has_blob) {
    error = fmt::format("missing field '{}' (a tradebus entry has fields v and e)",
                        has_version ? "e" : "v");
    return false;
  }
  if (version != kWireVersion) {
    error = fmt::format("entry format version '{}' is not supported (this build reads {})",
                        version.substr(0, 16), kWireVersion);
    return false;
  }
  if (blob.empty()) {
    error = "field e holds no event";
    return false;
  }
  const std::size_t first = out.size();
  std::size_t pos = 0;
  while (pos < blob.size()) {
    if (blob.size() - pos < 4) {
      error = fmt::format("event at byte {}: truncated length", pos);
      out.resize(first);
      return false;
    }
    std::uint32_t n = 0;
    for (int i = 0; i < 4; ++i)
      n |= static_cast<std::uint32_t>(
               static_cast<unsigned char>(blob[pos + static_cast<std::size_t>(i)]))
           << (8 * i);
    pos += 4;
    if (n > blob.size() - pos) {
      error = fmt::format("event at byte {}: length {} runs past the entry's {} bytes", pos - 4, n,
                          blob.size());
      out.resize(first);
      return false;
    }
    Event e;
    std::string why;
    if (!decode_event(blob.substr(pos, n), e, why)) {
      error = fmt::format("event at byte {}: {}", pos - 4, why);
      out.resize(first);
      return false;
    }
    out.push_back(std::move(e));
    pos += n;
  }
  return true;
}

std::vector<StreamEntry> parse_entries(const RedisValue& list) {
  std::vector<StreamEntry> out;
  if (list.is_nil()) return out;
  if (!list.is_array()) throw std::runtime_error("redis: expected a list of stream entries");
  out.reserve(list.elements.size());
  for (const auto& item : list.elements) {
    if (!item.is_array() || item.elements.size() != 2 || !item.elements[0].is_string())
      throw std::runtime_error("redis: a stream entry is not [id, fields]");
    out.push_back(StreamEntry{item.elements[0].str, item.elements[1]});
  }
  return out;
}

std::vector<std::pair<std::string, std::vector<StreamEntry>>> parse_read_reply(
    const RedisValue& reply) {
  std::vector<std::pair<std::string, std::vector<StreamEntry>>> out;
  if (reply.is_nil()) return out;
  if (!reply.is_array())
    throw std::runtime_error("redis: XREADGROUP answered neither nil nor a list");
  for (const auto& s : reply.elements) {
    if (!s.is_array() || s.elements.size() != 2 || !s.elements[0].is_string())
      throw std::runtime_error("redis: XREADGROUP's stream item is not [stream, entries]");
    out.emplace_back(s.elements[0].str, parse_entries(s.elements[1]));
  }
  return out;
}

const RedisValue* find_field(const RedisValue& flat, std::string_view name) {
  for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2)
    if (flat.elements[i].str == name) return &flat.elements[i + 1];
  return nullptr;
}

std::pair<std::uint64_t, std::uint64_t> parse_stream_id(std::string_view id) {
  const auto dash = id.find('-');
  if (dash == std::string_view::npos) return {0, 0};
  std::uint64_t ms = 0, seq = 0;
  const auto a = std::from_chars(id.data(), id.data() + dash, ms);
  const auto b = std::from_chars(id.data() + dash + 1, id.data() + id.size(), seq);
  if (a.ec != std::errc() || b.ec != std::errc() || b.ptr != id.data() + id.size()) return {0, 0};
  return {ms, seq};
}

std::string StreamNames::market_data(std::string_view symbol) const {
  return fmt::format("{}:md:{{{}}}", prefix, symbol);
}
std::string StreamNames::execution() const {
  return prefix + ":exec";
}
std::string StreamNames::orders() const {
  return prefix + ":orders";
}
std::string StreamNames::errors() const {
  return prefix + ":errors";
}
std::string StreamNames::members(std::string_view group) const {
  return fmt::format("{}:group:{}:members", prefix, group);
}
std::string StreamNames::owner(std::string_view group, std::string_view symbol) const {
  return fmt::format("{}:group:{}:owner:{}", prefix, group, symbol);
}

}  // namespace tradebus::redis
