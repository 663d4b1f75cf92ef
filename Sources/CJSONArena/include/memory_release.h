// Giving freed heap memory back to the system: see memory_release.c.
#ifndef MEMORY_RELEASE_H
#define MEMORY_RELEASE_H

/// Returns the pages of freed heap memory to the system (glibc's malloc_trim); a no-op
/// where the C library has no such call.
void memory_release_freed(void);

#endif
