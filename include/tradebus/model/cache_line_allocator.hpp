// CacheLineAllocator: whole cache lines for a container whose elements one thread writes at
// event rates while another thread works nearby in the heap. A small heap block shares its
// cache lines with whatever the allocator put beside it, and which objects those are depends
// on what was freed before (a bus created and destroyed earlier in the process, say): a
// neighbour written by the other thread makes every write wait for the line to come back.
#pragma once

#include <cstddef>
#include <new>

namespace tradebus {

inline constexpr std::size_t kCacheLine = 64;

/// Allocates on a cache-line boundary and rounds the size up to whole lines, so no other heap
/// block shares a line with the elements. (libstdc++'s aligned `operator new` rounds up as
/// well; rounding here keeps it so with any library.)
template <class T>
struct CacheLineAllocator {
  using value_type = T;

  CacheLineAllocator() noexcept = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) noexcept {}  // NOLINT: rebinding

  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new (bytes(n), std::align_val_t{kCacheLine}));
  }
  // Unsized: clang before 19 declares sized deallocation only with -fsized-deallocation.
  void deallocate(T* p, std::size_t) noexcept {
    ::operator delete (p, std::align_val_t{kCacheLine});
  }

  template <class U>
  bool operator==(const CacheLineAllocator<U>&) const noexcept {
    return true;
  }

 private:
  static std::size_t bytes(std::size_t n) {
    if (n > (static_cast<std::size_t>(-1) - kCacheLine) / sizeof(T))
      throw std::bad_array_new_length();
    return (n * sizeof(T) + kCacheLine - 1) / kCacheLine * kCacheLine;
  }
};

}  // namespace tradebus
