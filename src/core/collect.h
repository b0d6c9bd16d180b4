/* collect.h: how the batch build asks Lua's collector for a full collection. */
#ifndef FOLIO_COLLECT_H
#define FOLIO_COLLECT_H
#include <lua.h>

/* A full collection of L's heap that leaves the generational collector scheduled for its next
 * minor collection at 20% growth (see collect.c: a plain LUA_GCCOLLECT may not). */
void folio_collect_fully(lua_State *L);

#endif
