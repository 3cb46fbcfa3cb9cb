build-asan/lib/db.o: lib/db.c lib/buf.h lib/util.h lib/db.h \
 lib/identity.h lib/sampler.h lib/schema.h
lib/buf.h:
lib/util.h:
lib/db.h:
lib/identity.h:
lib/sampler.h:
lib/schema.h:
