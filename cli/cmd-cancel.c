/* cmd-cancel.c - cancel a queued or running job of the daemon. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"

static int cmd_cancel_exec(int, char **);

const struct cli_cmd cmd_cancel = {
	.name = "cancel",
	.usage = "cancel JOB [--json] [--socket PATH]",
	.summary = "cancel a daemon job (its running run is interrupted)",
	.exec = cmd_cancel_exec,
};

static int
cmd_cancel_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *reply = NULL;
	char *cause = NULL, *path;
	long code;
	int json = 0, c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 's': cli_socket_path = optarg; break;
		case 'h':
			printf("usage: mmstorm %s\n", cmd_cancel.usage);
			return EXIT_OK;
		default:
			return cli_usage(&cmd_cancel);
		}
	}
	if (optind != argc - 1 || strchr(argv[optind], '/') != NULL)
		return cli_usage(&cmd_cancel);
	path = xasprintf("/v1/jobs/%s/cancel", argv[optind]);
	r = client_request(client_socket_path(cli_socket_path), "POST", path,
	    NULL, &code, &reply, &cause);
	free(path);
	if (r != 0) {
		cli_error("%s", cause);
		free(cause);
		return EXIT_FAIL;
	}
	if (code >= 300) {
		cli_error("%s", json_string_value(json_object_get(reply,
		    "error")) ? json_string_value(json_object_get(reply,
		    "error")) : "cancel refused");
		json_decref(reply);
		return EXIT_FAIL;
	}
	if (json)
		cli_print_json(reply);
	else {
		printf("job %s cancelled\n", argv[optind]);
		json_decref(reply);
	}
	return EXIT_OK;
}
