//! The process's memory with glibc's allocator: fewer arenas, and freed memory given back.

/// One malloc arena per thread (glibc's default, up to 8 per core) keeps memory freed on
/// one thread from serving another: a big app's Git side is parsed on one thread and freed,
/// its live side then filled in on the runtime's others, and peak RSS was the sum of both.
/// One arena lets the second reuse what the first freed; on a few cores the lock costs
/// less than the memory. Call before any thread exists.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
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
