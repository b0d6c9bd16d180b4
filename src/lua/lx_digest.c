/* lx_digest.c: folio.digest, content hashes for fingerprinted asset names and Subresource
 * Integrity, computed by Nettle (Debian's nettle-dev).
 *   folio.digest.sha256_hex(data) -> 64 lower-case hex digits
 *   folio.digest.sri(data [, "sha256" | "sha384" | "sha512"]) -> "sha384-<base64>" (default sha384)
 */
#include "lua/lx.h"
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <string.h>

static int l_sha256_hex(lua_State *L)
{
  size_t len;
  const char *data = luaL_checklstring(L, 1, &len);
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  sha256_update(&ctx, len, (const uint8_t *)data);
  sha256_digest(&ctx, sizeof digest, digest);
  static const char HEX[] = "0123456789abcdef";
  char hex[2 * SHA256_DIGEST_SIZE];
  for (size_t i = 0; i < sizeof digest; i++) {
    hex[2 * i] = HEX[digest[i] >> 4];
    hex[2 * i + 1] = HEX[digest[i] & 15];
  }
  lua_pushlstring(L, hex, sizeof hex);
  return 1;
}

static int l_sri(lua_State *L)
{
  size_t len;
  const char *data = luaL_checklstring(L, 1, &len);
  const char *algo = luaL_optstring(L, 2, "sha384");
  uint8_t digest[SHA512_DIGEST_SIZE];
  size_t size;
  if (strcmp(algo, "sha256") == 0) {
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, len, (const uint8_t *)data);
    sha256_digest(&c, size = SHA256_DIGEST_SIZE, digest);
  } else if (strcmp(algo, "sha384") == 0) {
    struct sha384_ctx c;
    sha384_init(&c);
    sha384_update(&c, len, (const uint8_t *)data);
    sha384_digest(&c, size = SHA384_DIGEST_SIZE, digest);
  } else if (strcmp(algo, "sha512") == 0) {
    struct sha512_ctx c;
    sha512_init(&c);
    sha512_update(&c, len, (const uint8_t *)data);
    sha512_digest(&c, size = SHA512_DIGEST_SIZE, digest);
  } else {
    return luaL_error(L, "folio.digest.sri: unknown algorithm '%s' (sha256, sha384 or sha512)", algo);
  }
  char out[16 + BASE64_ENCODE_RAW_LENGTH(SHA512_DIGEST_SIZE)];
  size_t prefix = strlen(algo);
  memcpy(out, algo, prefix);
  out[prefix] = '-';
  base64_encode_raw(out + prefix + 1, size, digest);
  lua_pushlstring(L, out, prefix + 1 + BASE64_ENCODE_RAW_LENGTH(size));
  return 1;
}

void lx_open_digest(lua_State *L, int folio)
{
  static const luaL_Reg fns[] = {
    { "sha256_hex", l_sha256_hex },
    { "sri", l_sri },
    { NULL, NULL },
  };
  luaL_newlib(L, fns);
  lua_setfield(L, folio, "digest");
}
