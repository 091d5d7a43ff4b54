/* Ed25519 keys for signed checkpoints.  A key file holds 64 lowercase or
 * uppercase hex digits (the 32-byte private seed, or the 32-byte public key),
 * optionally followed by a newline, or exactly the 32 raw bytes.  A private
 * key file readable by group or others is refused, as ssh does. */
#include "log/log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/eddsa.h>

static bool
unhex_any(uint8_t *dst, const char *src)
{
	char low[64];
	size_t i;

	for (i = 0; i < 64; i++)
		low[i] = (src[i] >= 'A' && src[i] <= 'F') ? (char)(src[i] - 'A' + 'a') : src[i];
	return osl_unhex(dst, low, 32);
}

static const struct osl_error *
read_key(const char *path, uint8_t key[32], bool private)
{
	const struct osl_error *err = NULL;
	char buf[80];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return osl_error_errno("cannot open key file '%s'", path);
	if (fstat(fd, &st) == -1) {
		err = osl_error_errno("cannot stat key file '%s'", path);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		err = osl_error_new(OSL_EINPUT, "key file '%s' is not a regular file", path);
		goto done;
	}
	if (private && (st.st_mode & 077)) {
		err = osl_error_new(OSL_EINPUT,
		    "key file '%s' is readable by others: chmod 600 it", path);
		goto done;
	}
	do
		n = read(fd, buf, sizeof(buf));
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		err = osl_error_errno("cannot read key file '%s'", path);
		goto done;
	}
	if (n == 32 && !unhex_any(key, buf))
		memcpy(key, buf, 32);
	else if ((n == 64 || (n == 65 && buf[64] == '\n') ||
	    (n == 66 && buf[64] == '\r' && buf[65] == '\n')) && unhex_any(key, buf))
		;
	else
		err = osl_error_new(OSL_EINPUT,
		    "key file '%s': expected 64 hex digits or 32 bytes", path);
done:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return err;
}

const struct osl_error *
osl_log_key_load(const char *path, uint8_t seed[32], uint8_t pub[32])
{
	const struct osl_error *err;

	if ((err = read_key(path, seed, true)) != NULL)
		return err;
	ed25519_sha512_public_key(pub, seed);
	return NULL;
}

const struct osl_error *
osl_log_pubkey_load(const char *path, uint8_t pub[32])
{
	return read_key(path, pub, false);
}

static const struct osl_error *
write_hex(const char *path, const uint8_t key[32], mode_t mode)
{
	const struct osl_error *err = NULL;
	char buf[65];
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) == -1)
		return osl_error_errno("cannot create key file '%s'", path);
	osl_hex(buf, key, 32);
	buf[64] = '\n';
	if (write(fd, buf, 65) != 65 || fsync(fd) == -1)
		err = osl_error_errno("cannot write key file '%s'", path);
	explicit_bzero(buf, sizeof(buf));
	if (close(fd) == -1 && !err)
		err = osl_error_errno("cannot write key file '%s'", path);
	if (err)
		unlink(path);
	return err;
}

const struct osl_error *
osl_log_keygen(const char *priv_path, const char *pub_path)
{
	const struct osl_error *err;
	uint8_t seed[32], pub[32];

	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		return osl_error_errno("cannot get random bytes");
	ed25519_sha512_public_key(pub, seed);
	if ((err = write_hex(priv_path, seed, 0600)) == NULL &&
	    pub_path && (err = write_hex(pub_path, pub, 0644)) != NULL)
		unlink(priv_path);
	explicit_bzero(seed, sizeof(seed));
	return err;
}
