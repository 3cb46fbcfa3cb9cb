build/bench/ingest.o: bench/ingest.c lib/buf.h lib/util.h lib/db.h \
 lib/identity.h lib/query.h lib/sampler.h lib/util.h
lib/buf.h:
lib/util.h:
lib/db.h:
lib/identity.h:
lib/query.h:
lib/sampler.h:
lib/util.h:
