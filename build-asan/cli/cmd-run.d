build-asan/cli/cmd-run.o: cli/cmd-run.c cli/cli.h lib/util.h lib/db.h \
 lib/options.h lib/runner.h lib/workload.h lib/options.h lib/util.h
cli/cli.h:
lib/util.h:
lib/db.h:
lib/options.h:
lib/runner.h:
lib/workload.h:
lib/options.h:
lib/util.h:
