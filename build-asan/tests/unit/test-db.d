build-asan/tests/unit/test-db.o: tests/unit/test-db.c lib/buf.h \
 lib/util.h lib/db.h tests/unit/unit.h
lib/buf.h:
lib/util.h:
lib/db.h:
tests/unit/unit.h:
