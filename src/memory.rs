//! The process's memory with glibc's allocator: fewer arenas, and freed memory given back.

/// Threads for CPU-bound work at once (parsing manifests, judging objects): one per core,
/// at most four (past a few, the thread feeding them and the allocator are the limit).
/// The allocator's arenas match it.
pub fn cpu_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4)
}

/// One malloc arena per thread (glibc's default, up to 8 per core) keeps memory freed on
/// one thread from serving another: a big app's Git side is parsed and freed, its live side
/// then filled in on the runtime's other threads, and peak RSS was the sum of both. One
/// arena per core, up to four, lets the second reuse most of what the first freed, while
/// threads parsing or judging side by side do not queue for a single arena's lock (with
/// one, two parsing threads were slower than one). Call before any thread exists.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let arenas = cpu_threads();
        // SAFETY: mallopt only sets an allocator parameter.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas as libc::c_int);
        }
    }
}

/// Gives memory freed after a burst of work (a big app's parsed Git side, its lists) back
/// to the system: glibc keeps it otherwise, and a long-running screen would hold its peak.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's own heaps.
    unsafe {
        libc::malloc_trim(0);
    }
}
