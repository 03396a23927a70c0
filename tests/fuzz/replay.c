// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Corpus replay: runs a fuzz harness body over every file named on the
 * command line, or in a directory named there, with any compiler. Each input
 * is copied into a buffer of its exact size so that ASan builds catch overreads.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;
	int rc = -1;

	if (!f)
		goto out;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		goto out;
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	rc = 0;
out:
	if (rc)
		perror(path);
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

static int replay_dir(const char *dir, unsigned *count)
{
	struct dirent *de;
	char path[4096];
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (replay_file(path) != 0)
			rc = -1;
		else
			(*count)++;
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	struct stat st;
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) != 0)
				rc = 1;
		} else if (replay_file(argv[i]) == 0) {
			count++;
		} else {
			rc = 1;
		}
	}
	printf("replayed %u inputs\n", count);
	return rc || count == 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
