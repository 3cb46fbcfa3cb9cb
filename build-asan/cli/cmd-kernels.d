build-asan/cli/cmd-kernels.o: cli/cmd-kernels.c cli/cli.h lib/util.h \
 lib/db.h
cli/cli.h:
lib/util.h:
lib/db.h:
