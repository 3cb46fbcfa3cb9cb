build-asan/cli/cmd-show.o: cli/cmd-show.c cli/cli.h lib/util.h lib/db.h \
 lib/query.h
cli/cli.h:
lib/util.h:
lib/db.h:
lib/query.h:
