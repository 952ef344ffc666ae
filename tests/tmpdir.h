/* tmpdir.h — what the unit tests share to remove the scratch directory a test made, with everything in it */
#ifndef WEARGATE_TESTS_TMPDIR_H
#define WEARGATE_TESTS_TMPDIR_H

#include <ftw.h>
#include <stdio.h>

static inline int tmpdir_remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Remove path and all below it, as `rm -rf` does (symbolic links are removed, not followed); 0 or -1. */
static inline int tmpdir_remove(const char *path)
{
	return nftw(path, tmpdir_remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

#endif
