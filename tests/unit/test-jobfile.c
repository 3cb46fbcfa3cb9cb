/* test-jobfile.c - fio-style job files: structure and error messages. */
#include <errno.h>
#include <stdlib.h>

#include "jobs/jobfile.h"
#include "run/options.h"
#include "unit.h"
#include "run/workload.h"
#include "workloads/workloads.h"

TEST(jobfile_global_then_section_values)
{
	struct jobfile jf;
	char *cause = NULL;
	const char *text =
	    "# nightly\n"
	    "[global]\n"
	    "duration = 30s\n"
	    "label=nightly\n"
	    "\n"
	    "[big]\n"
	    "workload=thp-munmap\n"
	    "size=1G\n"
	    "repeat=3\n"
	    "; comment\n"
	    "[small]\n"
	    "workload=thp-munmap\n"
	    "duration=5s\n"
	    "label=mine\n";

	CHECK_INT_EQ(jobfile_parse("t.job", text, workloads, &jf, &cause), 0);
	CHECK_INT_EQ(jf.njobs, 2);
	CHECK_STR_EQ(jf.jobs[0].section, "big");
	CHECK_INT_EQ(jf.jobs[0].line, 6);
	CHECK_STR_EQ(jf.jobs[0].wl->name, "thp-munmap");
	CHECK_INT_EQ(jf.jobs[0].repeat, 3);
	CHECK_INT_EQ(params_int(jf.jobs[0].params, "size"), INT64_C(1) << 30);
	CHECK_INT_EQ(params_int(jf.jobs[0].params, "duration"), 30000);
	CHECK_STR_EQ(jf.jobs[0].label, "nightly");
	CHECK_INT_EQ(jf.jobs[1].repeat, 1);
	CHECK_INT_EQ(params_int(jf.jobs[1].params, "duration"), 5000);
	CHECK_STR_EQ(jf.jobs[1].label, "mine");
	jobfile_release(&jf);
}

static void
expect_error(const char *text, const char *message)
{
	struct jobfile jf;
	char *cause = NULL;

	CHECK_INT_EQ(jobfile_parse("bad.job", text, workloads, &jf, &cause), -EINVAL);
	CHECK_STR_EQ(cause, message);
	CHECK_INT_EQ(jf.njobs, 0);
	free(cause);
}

TEST(jobfile_errors_name_file_line_and_option)
{
	expect_error("[a]\nworkload=thp-munmap\nbogus=1\n",
	    "'bad.job' line 3: unknown option 'bogus' for workload "
	    "'thp-munmap'");
	expect_error("[a]\nworkload=thp-munmap\nthreads=0\n",
	    "'bad.job' line 3: option 'threads' must be between 1 and 4096, "
	    "got '0' (workload 'thp-munmap')");
	expect_error("[a]\nworkload=nope\n",
	    "'bad.job' line 1: unknown workload 'nope' in section [a]");
	expect_error("[a]\nsize=1G\n",
	    "'bad.job' line 1: section [a] has no workload=");
	expect_error("size=1G\n",
	    "'bad.job' line 1: 'size=1G' is outside any [section]");
	expect_error("[a\n", "'bad.job' line 1: malformed section header '[a'");
	expect_error("[a]\nworkload=thp-munmap\njunk line\n",
	    "'bad.job' line 3: expected name=value, got 'junk line'");
	expect_error("[global]\nsizee=1G\n[a]\nworkload=thp-munmap\n",
	    "'bad.job' line 2: option 'sizee' in [global] is not an option "
	    "of any workload in the file");
	expect_error("[a]\nworkload=thp-munmap\nrepeat=0\n",
	    "'bad.job' line 3: option 'repeat' must be between 1 and 100000, "
	    "got '0'");
	expect_error("# nothing\n", "'bad.job': no sections with a workload");
}
