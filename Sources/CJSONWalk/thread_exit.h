// Buffers a thread keeps from one call to the next (in _Thread_local storage), given back
// when the thread ends: the walk (json_walk.c) and the digest (json_digest.c) each have
// some. THREAD_EXIT_HOOK(name, release) defines name_register(), to call before the
// thread's buffers are used: the first call on a thread has `release()` run at its exit.
#ifndef THREAD_EXIT_H
#define THREAD_EXIT_H

#include <pthread.h>

#define THREAD_EXIT_HOOK(name, release)                                                   \
    static _Thread_local int name##_registered;                                           \
    static pthread_key_t name##_key;                                                      \
    static pthread_once_t name##_once = PTHREAD_ONCE_INIT;                                \
    static void name##_at_exit(void *unused) {                                            \
        (void)unused;                                                                     \
        release();                                                                        \
        /* A call from a later thread-exit destructor registers, and is freed, again. */ \
        name##_registered = 0;                                                            \
    }                                                                                     \
    static void name##_make_key(void) { pthread_key_create(&name##_key, name##_at_exit); } \
    static inline void name##_register(void) {                                            \
        if (name##_registered) return;                                                    \
        pthread_once(&name##_once, name##_make_key);                                      \
        pthread_setspecific(name##_key, (void *)1);                                       \
        name##_registered = 1;                                                            \
    }

#endif
