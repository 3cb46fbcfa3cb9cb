/*
 * fuzz-jobfile.c - job files (jobs/jobfile.c) against the real workload
 * registry: the input is the file's text.  A file that parses gives at
 * least one job, and each job's spec turns into JSON that the API's
 * parser (job_spec_from_json) takes back: what a job file queues, the
 * daemon accepts.
 */
#include <jansson.h>

#include "fuzz/fuzz.h"
#include "jobs/jobfile.h"
#include "jobs/spec.h"
#include "workloads/workloads.h"

static void
check_round_trip(const struct job_spec *spec)
{
	struct job_spec back;
	json_t *j = job_spec_to_json(spec);
	char *cause = NULL;
	int r;

	if (j == NULL)
		fuzz_fail("a parsed job has no JSON form");
	r = job_spec_from_json(j, workloads, &back, &cause);
	fuzz_check_cause(r, cause);
	if (r != 0)
		fuzz_fail("the API refuses a job file's job: %s", cause);
	job_spec_release(&back);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), *cause = NULL;
	struct jobfile jf;
	size_t i;
	int r;

	memset(&jf, 0, sizeof jf);
	r = jobfile_parse("fuzz.job", text, workloads, &jf, &cause);
	fuzz_check_cause(r, cause);
	if (r == 0 && jf.njobs == 0)
		fuzz_fail("a job file that parses to no job");
	for (i = 0; r == 0 && i < jf.njobs; i++)
		check_round_trip(&jf.jobs[i]);
	jobfile_release(&jf);
	free(cause);
	free(text);
	return 0;
}
