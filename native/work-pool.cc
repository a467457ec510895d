// The module's own threads: a fit's row and feature loops split over this thread and a few kept
// threads (`parallelFor`), for gradient_boosting's passes (histograms.cc, boosting-steps.cc).
//
// Why not Node's worker threads: a pass over a node of a few thousand rows takes tens of µs, and
// a request through a MessagePort and an Atomics wake cost about as much; on a 2-vCPU VM the
// second thread of the histogram pass made a 140k-row fit slower, not faster (bench/RESULTS.md).
// Here a request is a store to one atomic word; the kept threads spin on it for a short while
// (LATHE_SPIN_US, 200 µs by default, with the CPU's pause hint so a spinning thread costs its
// sibling nothing) before they sleep on a condition variable, so the passes of one tree — one
// after another, each a few µs apart — find them awake.
//
// Results never depend on the number of threads: a task is a fixed piece of the work (a range of
// features, a block of rows), each piece computed by one thread with the same loop; a caller that
// needs a sum over pieces adds them up in piece order itself.
#include "module.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LATHE_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define LATHE_PAUSE() __asm__ __volatile__("yield")
#else
#define LATHE_PAUSE() ((void)0)
#endif

namespace {

// The most threads a request may use (the caller included).
constexpr int kMostThreads = 64;

// A kept thread's own wake-up: the request it is asked to join, and whether it sleeps. Each thread
// has its own, so a request wakes only the threads it uses (a 64-core machine's pass of 9 row
// blocks wakes 8, not 63).
struct Slot {
  std::mutex lock;
  std::condition_variable wake;
  std::atomic<uint32_t> generation{0};
  std::atomic<bool> sleeping{false};
};

struct Pool {
  // One request at a time; a caller that finds the pool busy (another JS thread's fit) runs its tasks alone.
  std::mutex busy;
  // The request: generation (high 32 bits) and the next unclaimed task (low 32 bits), in one word so
  // a thread claims a task of the generation it saw or none.
  std::atomic<uint64_t> word{0};
  uint32_t generation = 0;
  // Atomic, though read only while their request is current: a late helper may read them as the next request is set up.
  std::atomic<const std::function<void(int64_t)>*> task{nullptr};
  std::atomic<int64_t> tasks{0};
  std::atomic<int64_t> done{0};
  // The kept threads' slots (never freed, as the threads never end).
  std::vector<Slot*> slots;
  std::chrono::microseconds spin{200};
};

Pool& pool() {
  // Never destroyed: its threads outlive every static destructor at exit.
  static Pool* p = [] {
    auto* made = new Pool();
    if (const char* us = std::getenv("LATHE_SPIN_US")) made->spin = std::chrono::microseconds(std::atoll(us));
    return made;
  }();
  return *p;
}

// Claims and runs tasks of generation `gen` until none is left.
void runTasks(Pool& p, uint32_t gen) {
  uint64_t w = p.word.load(std::memory_order_acquire);
  for (;;) {
    if (static_cast<uint32_t>(w >> 32) != gen) break;
    const int64_t t = static_cast<int64_t>(w & 0xffffffffu);
    // Read only while `gen` is current and unfinished: the caller rewrites them after every task is done.
    if (t >= p.tasks.load(std::memory_order_relaxed)) break;
    if (!p.word.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    (*p.task.load(std::memory_order_relaxed))(t);
    p.done.fetch_add(1, std::memory_order_acq_rel);
    w = p.word.load(std::memory_order_acquire);
  }
}

void helperLoop(Pool& p, Slot& me) {
  uint32_t seen = 0;
  for (;;) {
    uint32_t gen = me.generation.load(std::memory_order_acquire);
    if (gen == seen) {
      const auto until = std::chrono::steady_clock::now() + p.spin;
      for (int s = 0; gen == seen; s++) {
        LATHE_PAUSE();
        gen = me.generation.load(std::memory_order_acquire);
        if ((s & 63) == 63 && std::chrono::steady_clock::now() >= until) break;
      }
    }
    if (gen == seen) {
      std::unique_lock<std::mutex> lock(me.lock);
      me.sleeping.store(true, std::memory_order_seq_cst);
      me.wake.wait(lock, [&] { return (gen = me.generation.load(std::memory_order_seq_cst)) != seen; });
      me.sleeping.store(false, std::memory_order_seq_cst);
    }
    seen = gen;
    runTasks(p, gen);
  }
}

}  // namespace

namespace lathe {

void parallelFor(int64_t tasks, int threads, const std::function<void(int64_t)>& task) {
  if (tasks <= 0) return;
  const int wanted = static_cast<int>(std::min<int64_t>(std::min(threads, kMostThreads), tasks));
  Pool& p = pool();
  std::unique_lock<std::mutex> busy(p.busy, std::try_to_lock);
  if (wanted <= 1 || !busy.owns_lock() || tasks > 0xffffffffLL) {
    for (int64_t t = 0; t < tasks; t++) task(t);
    return;
  }
  while (static_cast<int>(p.slots.size()) < wanted - 1) {
    auto* slot = new Slot();
    try {
      std::thread([&p, slot] { helperLoop(p, *slot); }).detach();
      p.slots.push_back(slot);
    } catch (...) {
      delete slot;
      break;  // no thread to be had: fewer helpers
    }
  }
  p.task.store(&task, std::memory_order_relaxed);
  p.tasks.store(tasks, std::memory_order_relaxed);
  p.done.store(0, std::memory_order_relaxed);
  const uint32_t gen = ++p.generation;
  p.word.store(static_cast<uint64_t>(gen) << 32, std::memory_order_release);
  const int helpers = std::min(wanted - 1, static_cast<int>(p.slots.size()));
  for (int i = 0; i < helpers; i++) {
    Slot& slot = *p.slots[i];
    slot.generation.store(gen, std::memory_order_seq_cst);
    // Either it sleeps and is woken here, or its wait has not begun and will see the new generation.
    if (slot.sleeping.load(std::memory_order_seq_cst)) {
      { std::lock_guard<std::mutex> lock(slot.lock); }
      slot.wake.notify_one();
    }
  }
  runTasks(p, gen);
  // Every task claimed; wait for the helpers' last ones to finish.
  while (p.done.load(std::memory_order_acquire) < tasks) LATHE_PAUSE();
}

void parallelBlocks(int64_t first, int64_t end, int threads, const std::function<void(int64_t, int64_t, int64_t)>& task) {
  // Under two blocks, not worth a hand-off.
  parallelFor((end - first + kRowBlock - 1) / kRowBlock, end - first >= 2 * kRowBlock ? threads : 1, [&](int64_t b) {
    const int64_t from = first + b * kRowBlock;
    task(b, from, std::min(end, from + kRowBlock));
  });
}

}  // namespace lathe
