/* lx_ast.c: STUB, to be replaced. */
#include "lua/lx.h"
void lx_open_markdown(lua_State *L, int folio) { (void)L; (void)folio; }
