build-asan/workloads/thp-munmap.o: workloads/thp-munmap.c lib/identity.h \
 lib/options.h lib/procfs.h lib/util.h lib/workload.h lib/options.h \
 lib/util.h
lib/identity.h:
lib/options.h:
lib/procfs.h:
lib/util.h:
lib/workload.h:
lib/options.h:
lib/util.h:
