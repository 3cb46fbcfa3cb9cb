/*
 * retitle.c - a stored report's kind, title and signature computed again
 * from its text (kmsg.h kmsg_retitle()), for databases whose events were
 * titled by an older classifier.
 */
#include <errno.h>
#include <string.h>

#include "common/util.h"
#include "kmsg/kmsg.h"

struct kmsg_event *
kmsg_first_event(const char *text, int *n)
{
	struct kmsg_classifier *c = kmsg_classifier_new(0);
	struct kmsg_event *ev, *first = NULL;
	const char *p = text, *nl;
	unsigned long lineno = 0;

	*n = 0;
	while (*p != '\0') {
		nl = strchr(p, '\n');
		kmsg_classifier_feed_line(c, p, nl != NULL ?
		    (size_t)(nl - p + 1) : strlen(p), ++lineno);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	kmsg_classifier_flush(c);
	while ((ev = kmsg_classifier_next(c)) != NULL) {
		if ((*n)++ == 0)
			first = ev;
		else
			kmsg_event_free(ev);
	}
	kmsg_classifier_free(c);
	return first;
}

int
kmsg_retitle(const char *text, struct kmsg_retitled *out)
{
	/* The stored text is one report: its first event is that report. */
	struct kmsg_event *first;
	int n;

	memset(out, 0, sizeof *out);
	if ((first = kmsg_first_event(text, &n)) == NULL)
		return -ENOENT;
	out->kind = first->kind;
	out->title = first->title;
	out->signature = first->signature;
	out->corrupted = first->corrupted;
	first->title = first->signature = NULL;
	kmsg_event_free(first);
	return 0;
}
