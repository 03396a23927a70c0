// SPDX-License-Identifier: GPL-2.0-or-later
/* The files lnsd.conf names: [ppp] users-file, [ipsec] psk-file and [pseudowire] secret-file, read as secrets. */
#include "conf_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ppp_users.h"

/*
 * Every file that holds secrets goes through here, wherever it is read:
 * lnsd -t, startup on any data plane, reload and the engine's own reads.
 * O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer, as
 * it would hang lnsd -t and the event loop on a reload; what was opened is
 * then checked with fstat. A symlink is followed: its target is what must
 * be a regular file owned by root or by lnsd's user (anyone else who owns
 * it could add PPP accounts or change the key, whatever its mode).
 */
int conf_read_secret_file(const char *path, size_t max, char **out, size_t *len, char *err,
			  size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = -EINVAL;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot read \"%s\": %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "\"%s\" is not a regular file", path);
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "\"%s\" is owned by uid %u, not by root or lnsd's user "
			 "(uid %u): chown it", path, (unsigned)st.st_uid, (unsigned)geteuid());
		goto out;
	}
	if (!ppp_users_mode_ok(st.st_mode)) {
		snprintf(err, errlen, "\"%s\" is readable or writable by others (mode %04o): "
			 "chmod 600 it", path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "\"%s\" is larger than %zu bytes", path, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "\"%s\": out of memory", path);
		rc = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read \"%s\": %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* The first line of a psk-file or secret-file, without surrounding blanks. */
int cf_read_secret_line(struct cf_parser *p, const char *lbl, const char *path, size_t max,
			char **dst)
{
	char ferr[CONF_ERR_LEN], *buf, *s, *nl;
	size_t len;
	int rc;

	if (conf_read_secret_file(path, CONF_SECRET_FILE_MAX, &buf, &len, ferr, sizeof(ferr))) {
		cf_perr(p, "%s: %s", lbl, ferr);
		return -1;
	}
	nl = memchr(buf, '\n', len);
	if (nl)
		*nl = '\0';
	rc = -1;
	if (strlen(buf) != (nl ? (size_t)(nl - buf) : len))
		cf_perr(p, "%s: \"%s\": the key holds a NUL byte", lbl, path);
	else if (strlen(buf) > max)
		cf_perr(p, "%s: \"%s\": the key is longer than %zu characters", lbl, path, max);
	else if (!*(s = cf_trim(buf)))
		cf_perr(p, "%s: \"%s\" holds no key (its first line is empty)", lbl, path);
	else
		rc = cf_set_str(p, dst, s);
	explicit_bzero(buf, len);
	free(buf);
	return rc;
}

int conf_check_files(const struct lnsd_conf *c, char *err, size_t errlen)
{
	const char *path = c->ppp_users_file;
	int line = c->key_line[cf_key_index(SECT_PPP, "users-file")];
	char ferr[CONF_ERR_LEN], uerr[256], *buf;
	struct ppp_users *u = NULL;
	size_t len;
	int rc;

	if (!*path)
		return 0;
	rc = conf_read_secret_file(path, CONF_SECRET_FILE_MAX, &buf, &len, ferr, sizeof(ferr));
	if (rc) {
		snprintf(err, errlen, "%s:%d: [ppp] users-file: %s", c->path, line, ferr);
		return rc;
	}
	rc = ppp_users_parse(buf, len, &u, uerr, sizeof(uerr));
	explicit_bzero(buf, len);
	free(buf);
	ppp_users_free(u);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", c->path);
	else if (rc)
		snprintf(err, errlen, "%s:%d: [ppp] users-file: \"%s\" %s", c->path, line, path,
			 uerr);
	return rc;
}
