build-asan/lib/runner.o: lib/runner.c lib/buf.h lib/util.h lib/db.h \
 lib/identity.h lib/options.h lib/runner.h lib/sampler.h lib/workload.h
lib/buf.h:
lib/util.h:
lib/db.h:
lib/identity.h:
lib/options.h:
lib/runner.h:
lib/sampler.h:
lib/workload.h:
