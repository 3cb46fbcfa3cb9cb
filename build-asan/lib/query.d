build-asan/lib/query.o: lib/query.c lib/db.h lib/query.h lib/util.h
lib/db.h:
lib/query.h:
lib/util.h:
