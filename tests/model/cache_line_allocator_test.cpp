#include "tradebus/model/cache_line_allocator.hpp"

#include <cstdint>
#include <cstdlib>
#include <vector>

#include <gtest/gtest.h>

using tradebus::CacheLineAllocator;
using tradebus::kCacheLine;

namespace {

std::uintptr_t address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

}  // namespace

// Every block starts a line and owns its last line whole: neither another such block nor a
// small plain heap block allocated between them lands on a line of it.
TEST(CacheLineAllocator, BlocksOwnTheirLinesWhole) {
  CacheLineAllocator<std::int64_t> alloc;
  std::vector<std::pair<std::int64_t*, std::size_t>> blocks;
  std::vector<void*> plain;
  for (std::size_t n : {1u, 2u, 7u, 8u, 9u, 1u, 3u, 16u, 1u}) {
    plain.push_back(std::malloc(8));
    std::int64_t* p = alloc.allocate(n);
    plain.push_back(std::malloc(8));
    plain.push_back(std::malloc(24));
    EXPECT_EQ(address(p) % kCacheLine, 0u) << n << " elements";
    for (std::size_t i = 0; i < n; ++i)
      p[i] = static_cast<std::int64_t>(i);  // the whole block is usable
    blocks.emplace_back(p, n);
  }
  for (const auto& [p, n] : blocks) {
    const std::uintptr_t first = address(p) / kCacheLine;
    const std::uintptr_t last = (address(p + n) - 1) / kCacheLine;
    for (const auto& [q, m] : blocks) {
      if (q == p) continue;
      const std::uintptr_t q_first = address(q) / kCacheLine;
      const std::uintptr_t q_last = (address(q + m) - 1) / kCacheLine;
      EXPECT_TRUE(q_last < first || q_first > last) << "blocks of " << n << " and " << m;
    }
    for (void* q : plain) {
      const std::uintptr_t line = address(q) / kCacheLine;
      EXPECT_TRUE(line < first || line > last) << "a plain block on a line of a block of " << n;
    }
  }
  for (const auto& [p, n] : blocks)
    alloc.deallocate(p, n);
  for (void* q : plain)
    std::free(q);
}

TEST(CacheLineAllocator, WorksAsAVectorsAllocator) {
  std::vector<std::int64_t, CacheLineAllocator<std::int64_t>> v;
  for (std::int64_t i = 0; i < 1000; ++i) {
    v.push_back(i);
    ASSERT_EQ(address(v.data()) % kCacheLine, 0u) << "after " << i + 1 << " elements";
  }
  std::int64_t sum = 0;
  for (std::int64_t x : v)
    sum += x;
  EXPECT_EQ(sum, 999 * 1000 / 2);
}

TEST(CacheLineAllocator, RefusesASizeThatWouldOverflow) {
  CacheLineAllocator<std::int64_t> alloc;
  EXPECT_THROW((void)alloc.allocate(static_cast<std::size_t>(-1) / 4), std::bad_array_new_length);
}
