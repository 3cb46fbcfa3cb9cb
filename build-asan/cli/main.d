build-asan/cli/main.o: cli/main.c cli/cli.h lib/util.h
cli/cli.h:
lib/util.h:
