/* config.h — the configuration file (the only user of libconfuse) */
#ifndef WEARGATE_CONFIG_H
#define WEARGATE_CONFIG_H

#include <stddef.h>

#include "smart.h"
#include "util.h"

#define CONFIG_DEFAULT_PATH "/etc/weargate.conf"

enum drive_source {
	DRIVE_DEVICE,
	DRIVE_BLOB,
};

struct drive_cfg {
	char *name;
	enum drive_source source;
	char *path; /* the device, or the blob file (made absolute against the config's directory) */
	enum smart_access access;
};

struct config {
	char *path;
	char *database; /* absolute */
	size_t n_drives;
	struct drive_cfg *drives;
};

/* Errors name the file and line: "FILE:LINE: …" in err; -ENOENT, -EACCES, -EINVAL. */
int config_load(const char *path, struct config **ret, struct wg_err *err);
void config_free(struct config *c); /* NULL is fine */
const struct drive_cfg *config_drive(const struct config *c, const char *name);

#endif
