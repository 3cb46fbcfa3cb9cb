build-asan/cli/util.o: cli/util.c cli/cli.h lib/util.h lib/db.h
cli/cli.h:
lib/util.h:
lib/db.h:
