//! The process's memory with glibc's allocator: fewer arenas, and freed memory given back.

/// One malloc arena per thread (glibc's default, up to 8 per core) keeps memory freed on
/// one thread from serving another: with a big app loaded on one thread and judged on the
/// others, peak RSS was a third above the heap. Two arenas keep threads from contending.
/// Call before any thread exists.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
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
