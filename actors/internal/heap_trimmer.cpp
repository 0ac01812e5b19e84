#include "actors/internal/heap_trimmer.hpp"

#include "supervision/logger.hpp"

#include <malloc.h>

namespace faust::internal {

void heap_trimmer::trim() {
  since_trim_ = 0;
  auto start = clock::now();
  bool released = malloc_trim(0) != 0;
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      clock::now() - start);
  faust::log().debug("heap trimmed after a burst in {} us ({})", took.count(),
                     released ? "memory returned" : "nothing to return");
}

} // namespace faust::internal
