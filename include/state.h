/*
 * state.h: state that must survive a restart or a crash (GUIDs, boot
 * options), one small binary file per target under state_dir, replaced
 * atomically: write a temporary file, fsync it, rename it, fsync the
 * directory.
 */
#ifndef PMBD_STATE_H
#define PMBD_STATE_H

#include <stdint.h>

#include "target.h"

/* Creates state_dir if needed.  0 or -1 (errno set). */
int	 state_init(const char *dir);
/*
 * Loads pmbd's own GUID, creating and saving one the first time.  These
 * return 0, 1 when a corrupt file was set aside (NAME.corrupt) and
 * replaced, or -1 (errno set).
 */
int	 state_load_self(const char *dir, uint8_t guid[16]);
/* Loads t->st; a missing file gives a fresh GUID and default options. */
int	 state_load_target(const char *dir, struct target *);
int	 state_save_target(const char *dir, const struct target *);

/* The file format, exposed for tests: 0 or -1 if corrupt. */
size_t	 state_encode(const struct target_persist *, uint8_t *, size_t);
int	 state_decode(const uint8_t *, size_t, struct target_persist *);

#endif
