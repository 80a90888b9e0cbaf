/*
 * privdrop.c: started as root (outside systemd, which starts us as the
 * user with the capability), pmbd binds its ports, makes state_dir the
 * user's, and becomes user:group with the user's own supplementary groups
 * (dialout, gpio: what serial and gpio targets need) and no others.  It
 * keeps one capability, CAP_NET_BIND_SERVICE, so that a reload can listen
 * on a new port below 1024; nothing else (the bounding set is emptied of
 * every other capability).
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

static int
keep_bind_cap(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint32_t bit = 1u << CAP_NET_BIND_SERVICE;

	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = bit;
	return (int)syscall(SYS_capset, &h, d);
}

/*
 * state_dir and the regular files in it become the user's.  Never through
 * a symbolic link: the directory may hold whatever the unprivileged user
 * left there last time.
 */
static void
chown_state(const char *dir, uid_t uid, gid_t gid)
{
	struct dirent *e;
	struct stat st;
	int dfd, fd;
	DIR *d;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return;
	if (fchown(dfd, uid, gid) != 0 || (fd = dup(dfd)) < 0 ||
	    (d = fdopendir(fd)) == NULL) {
		close(dfd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (fchownat(dfd, e->d_name, uid, gid,
		    AT_SYMLINK_NOFOLLOW) != 0)
			continue;	/* left as it was */
	}
	closedir(d);
	close(dfd);
}

int
privdrop(const char *user, const char *group, const char *state_dir,
    char *err, size_t errlen)
{
	struct passwd *pw;
	struct group *gr;
	gid_t gid;

	if (geteuid() != 0) {
		snprintf(err, errlen, "user \"%s\": only root can change user",
		    user);
		return -1;
	}
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "user \"%s\": no such user", user);
		return -1;
	}
	gid = pw->pw_gid;
	if (group[0] != '\0') {
		if ((gr = getgrnam(group)) == NULL) {
			snprintf(err, errlen, "group \"%s\": no such group",
			    group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	chown_state(state_dir, pw->pw_uid, gid);
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (cap != CAP_NET_BIND_SERVICE)
			(void)prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 ||
	    initgroups(pw->pw_name, gid) != 0 ||
	    setresgid(gid, gid, gid) != 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0 ||
	    keep_bind_cap() != 0 || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "cannot become %s: %s", user,
		    strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {		/* must be impossible now */
		snprintf(err, errlen, "still root after dropping privileges");
		return -1;
	}
	return 0;
}
