/*
 * memcg.c - a private parent directory in the memory cgroup hierarchy,
 * for workloads that make memory cgroups by the thousand.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "workloads/memcg.h"

/*
 * The memory controller's hierarchy: cgroup2 when its root lists memory
 * in cgroup.controllers, else a cgroup v1 mount with the memory option
 * (a v1 mount takes the controller away from v2).  From mountinfo, so
 * neither layout is assumed.
 */
int
memcg_hierarchy(char **root, int *v2, char **cause)
{
	char *text = NULL, *line, *next, *sep, *mnt, *fstype, *opts, *ctl;
	char *v1 = NULL, *cg2 = NULL, *path, *tok, *save;
	int r, i;

	*root = NULL;
	if ((r = read_file("/proc/self/mountinfo", &text, NULL, cause)) != 0)
		return r;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		/* id parent dev root mountpoint ... - fstype source opts */
		if ((sep = strstr(line, " - ")) == NULL)
			continue;
		*sep = '\0';
		mnt = line;
		for (i = 0; i < 4 && mnt != NULL; i++)
			if ((mnt = strchr(mnt, ' ')) != NULL)
				mnt++;
		if (mnt == NULL)
			continue;
		mnt[strcspn(mnt, " ")] = '\0';
		fstype = sep + 3;
		if ((opts = strchr(fstype, ' ')) == NULL)
			continue;
		*opts++ = '\0';
		if ((opts = strchr(opts, ' ')) == NULL)
			continue;
		opts++;
		if (strcmp(fstype, "cgroup2") == 0 && cg2 == NULL)
			cg2 = xstrdup(mnt);
		else if (strcmp(fstype, "cgroup") == 0 && v1 == NULL) {
			for (tok = strtok_r(opts, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save))
				if (strcmp(tok, "memory") == 0)
					v1 = xstrdup(mnt);
		}
	}
	if (cg2 != NULL) {
		path = xasprintf("%s/cgroup.controllers", cg2);
		ctl = NULL;
		if (read_file_line(path, &ctl, NULL) == 0) {
			for (tok = strtok_r(ctl, " ", &save); tok != NULL;
			    tok = strtok_r(NULL, " ", &save))
				if (strcmp(tok, "memory") == 0) {
					*root = cg2;
					cg2 = NULL;
					*v2 = 1;
					break;
				}
		}
		free(ctl);
		free(path);
	}
	if (*root == NULL && v1 != NULL) {
		*root = v1;
		v1 = NULL;
		*v2 = 0;
	}
	if (*root == NULL)
		r = set_cause(cause, ENOTSUP, "no memory cgroup controller: %s",
		    cg2 != NULL ? "cgroup2 has no memory controller and no "
		    "cgroup v1 memory hierarchy is mounted" :
		    "no cgroup2 or cgroup v1 memory hierarchy is mounted");
	else
		r = 0;
	free(v1);
	free(cg2);
	free(text);
	return r;
}

/* rmdir every directory in dir, then dir; the first error is kept. */
static int
memcg_remove_tree(const char *dir, char **cause)
{
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return set_cause(cause, errno, "cannot open '%s': %s", dir,
		    strerror(errno));
	}
	fd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (unlinkat(fd, de->d_name, AT_REMOVEDIR) != 0 &&
		    errno != ENOENT && r == 0)
			r = set_cause(cause, errno, "cannot remove '%s/%s': %s",
			    dir, de->d_name, strerror(errno));
	}
	closedir(d);
	if (rmdir(dir) != 0 && errno != ENOENT && r == 0)
		r = set_cause(cause, errno, "cannot remove '%s': %s", dir,
		    strerror(errno));
	return r;
}

/* Private parents left by a worker that was killed (SIGKILL after the
 * stop grace) go before a new one is made. */
static void
memcg_sweep_stale(const char *root, const char *prefix)
{
	DIR *d;
	struct dirent *de;
	char *path, *end;
	long pid;

	if ((d = opendir(root)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		pid = strtol(de->d_name + strlen(prefix), &end, 10);
		if (*end != '\0' || pid <= 0 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		path = xasprintf("%s/%s", root, de->d_name);
		memcg_remove_tree(path, NULL);
		free(path);
	}
	closedir(d);
}

int
memcg_tree_create(struct memcg_tree *t, const char *prefix,
    char **cause)
{
	char *path = NULL, *ctl = NULL;
	int r;

	memset(t, 0, sizeof t[0]);
	if ((r = memcg_hierarchy(&t->root, &t->v2, cause)) != 0)
		return r;
	memcg_sweep_stale(t->root, prefix);
	if (t->v2) {
		/* A v2 child has a memcg only when its parent enables the
		 * controller in cgroup.subtree_control. */
		path = xasprintf("%s/cgroup.subtree_control", t->root);
		if ((r = read_file_line(path, &ctl, cause)) != 0)
			goto out;
		if (strstr(ctl, "memory") == NULL) {
			if ((r = write_file_str(path, "+memory", cause)) != 0)
				goto out;
			t->root_enabled = 1;
		}
	}
	t->dir = xasprintf("%s/%s%ld", t->root, prefix, (long)getpid());
	if (mkdir(t->dir, 0755) != 0) {
		r = set_cause(cause, errno, "cannot create '%s': %s", t->dir,
		    strerror(errno));
		free(t->dir);
		t->dir = NULL;
		goto out;
	}
	if (t->v2) {
		free(path);
		path = xasprintf("%s/cgroup.subtree_control", t->dir);
		if ((r = write_file_str(path, "+memory", cause)) != 0)
			goto out;
	}
	r = 0;
out:
	free(ctl);
	free(path);
	return r;
}

/* Everything we made, on every path; returns the first error. */
int
memcg_tree_remove(struct memcg_tree *t, char **cause)
{
	char *path;
	int r = 0;

	if (t->dir != NULL)
		r = memcg_remove_tree(t->dir, cause);
	if (t->root_enabled) {
		/* Best effort: it fails (EBUSY) once anyone else relies
		 * on the controller, and then it must stay. */
		path = xasprintf("%s/cgroup.subtree_control", t->root);
		write_file_str(path, "-memory", NULL);
		free(path);
	}
	free(t->dir);
	free(t->root);
	memset(t, 0, sizeof t[0]);
	return r;
}
