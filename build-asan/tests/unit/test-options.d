build-asan/tests/unit/test-options.o: tests/unit/test-options.c lib/buf.h \
 lib/util.h lib/options.h tests/unit/unit.h
lib/buf.h:
lib/util.h:
lib/options.h:
tests/unit/unit.h:
