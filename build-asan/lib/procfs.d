build-asan/lib/procfs.o: lib/procfs.c lib/procfs.h
lib/procfs.h:
