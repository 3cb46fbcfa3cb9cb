build-asan/workloads/workloads.o: workloads/workloads.c lib/workload.h \
 lib/options.h lib/util.h
lib/workload.h:
lib/options.h:
lib/util.h:
