/* lx_frontmatter.c: STUB, to be replaced. */
#include "lua/lx.h"
void lx_open_frontmatter(lua_State *L, int folio) { (void)L; (void)folio; }
