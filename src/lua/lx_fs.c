/* lx_fs.c: STUB (being written). */
#include "lua/lx.h"
void lx_open_fs(lua_State *L, int folio) { (void)L; (void)folio; }
