/* fuzz.h: what every fuzz harness in tests/fuzz/ shares: the libFuzzer entry points, the
 * property check that turns a broken promise into a crash libFuzzer reports (and the replay
 * driver fails on), and helpers for Lua states with a budget. Each harness is one .c file that
 * defines LLVMFuzzerTestOneInput (and optionally LLVMFuzzerInitialize); it is linked either with
 * libFuzzer (clang, -DFOLIO_FUZZ=ON) or with replay_main.c, which runs the files of corpus
 * folders through it under any compiler. */
#ifndef FOLIO_TESTS_FUZZ_H
#define FOLIO_TESTS_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <lua.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property every input must keep. On failure prints the harness's name of the property and
 * aborts, so libFuzzer saves the input and the replay test fails. */
#define FUZZ_CHECK(cond, ...)                                                                     \
  do {                                                                                            \
    if (!(cond)) {                                                                                \
      fprintf(stderr, "%s:%d: property violated: %s\n  ", __FILE__, __LINE__, #cond);              \
      fprintf(stderr, __VA_ARGS__);                                                               \
      fputc('\n', stderr);                                                                        \
      abort();                                                                                    \
    }                                                                                             \
  } while (0)

/* snprintf into an array that must hold the whole result (paths of the harnesses' folders). */
#define FUZZ_FORMAT(buf, cap, ...)                                                                \
  FUZZ_CHECK(snprintf(buf, cap, __VA_ARGS__) < (int)(cap), "text too long for its buffer")

/* 1 when s[0, len) is valid UTF-8 (src/core/utf8.c's definition). */
int fuzz_utf8_valid(const char *s, size_t len);

/* A folio Lua state (lx_new_state) whose allocator refuses to hold more than `max_bytes`, for
 * inputs that would otherwise grow without end. Returns NULL on failure. */
lua_State *fuzz_lua_state(size_t max_bytes);
void fuzz_lua_close(lua_State *L);

/* Runs the function on top of the stack with `nargs` arguments below it, stopped with the error
 * value fuzz_budget_error() after about `instructions` VM instructions, and pushes `nresults`
 * results or the error. The count keeps going through pcall: once spent, every later check
 * raises again, so `while true do pcall(f) end` still stops (when the code only reaches pcall
 * through fuzz_push_budget_pcall). Lines run are counted as coverage for libFuzzer (see
 * fuzz_common.c). Returns the lua_pcall status. */
int fuzz_lua_run(lua_State *L, int nargs, int nresults, long instructions);

/* 1 when the value at `idx` is the error fuzz_lua_run raises for a spent budget. */
int fuzz_is_budget_error(lua_State *L, int idx);

/* Pushes a pcall that re-raises a budget error instead of returning it, for environments of
 * untrusted code. [-0, +1, m] */
void fuzz_push_budget_pcall(lua_State *L);

/* Harnesses whose properties a Lua driver checks (tests/fuzz/NAME_driver.lua: a chunk that gets
 * fuzz_push_budget_pcall's pcall and returns the function checking one input). The state is
 * made once, with a cap of `max_bytes`; each input runs within `instructions`, and an error
 * that is not a spent budget or memory becomes a finding. */
void fuzz_driver_load(const char *driver_path, size_t max_bytes);
void fuzz_driver_run(const uint8_t *data, size_t size, long instructions);

#endif
