#include "ssprd/sha1.h"

#include <errno.h>
#include <openssl/evp.h>

int sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST_SIZE])
{
	unsigned int n = 0;
	/* EVP_Digest keeps no state after it returns. */
	if (EVP_Digest(data, len, out, &n, EVP_sha1(), NULL) != 1 || n != SHA1_DIGEST_SIZE)
		return -EIO;
	return 0;
}
