build-asan/cli/cmd-samples.o: cli/cmd-samples.c cli/cli.h lib/util.h \
 lib/db.h lib/query.h
cli/cli.h:
lib/util.h:
lib/db.h:
lib/query.h:
