/* collect.c: full collections of a build's Lua heap between phases.
 *
 * Lua 5.4.4's full collection in generational mode does not set the debt that schedules the
 * next collection: it keeps the one from before. After a "bad" major collection (the site stage
 * only adds to the heap, so its majors free little), that debt is a pause until the heap has
 * doubled. The render that followed the collection before the fork then ran with no collection
 * at all until then: at 100k posts the Lua heap went 437 -> 874 MiB and peak RSS to 1.1 GiB.
 * A basic step right after the full collection does a minor collection (cheap: every object is
 * old by then) and sets the debt for the next one. */
#include "core/collect.h"

void folio_collect_fully(lua_State *L)
{
  lua_gc(L, LUA_GCCOLLECT);
  lua_gc(L, LUA_GCSTEP, 0);
}
