build-asan/tests/unit/main.o: tests/unit/main.c tests/unit/unit.h \
 lib/util.h
tests/unit/unit.h:
lib/util.h:
