/* lx_date.c: STUB, to be replaced. */
#include "lua/lx.h"
void lx_open_date(lua_State *L, int folio) { (void)L; (void)folio; }
