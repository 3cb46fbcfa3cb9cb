build-asan/lib/options.o: lib/options.c lib/buf.h lib/util.h \
 lib/options.h
lib/buf.h:
lib/util.h:
lib/options.h:
