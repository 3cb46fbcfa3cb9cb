build-asan/cli/cmd-workloads.o: cli/cmd-workloads.c lib/buf.h lib/util.h \
 cli/cli.h lib/util.h lib/workload.h lib/options.h
lib/buf.h:
lib/util.h:
cli/cli.h:
lib/util.h:
lib/workload.h:
lib/options.h:
