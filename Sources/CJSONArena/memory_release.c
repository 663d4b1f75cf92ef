// glibc keeps freed memory mapped, in the heap, for its next allocations; the audit frees
// its whole record store at once and wants those pages given back (Audit.swift says when).
#include "memory_release.h"

#include <stdlib.h>  // defines __GLIBC__ where it applies

#if defined(__GLIBC__)
#include <malloc.h>
void memory_release_freed(void) { malloc_trim(0); }
#else
void memory_release_freed(void) {}
#endif
