/* cmd-cancel.c - cancel a queued or running job of the daemon. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"

static int cmd_cancel_exec(int, char **);

const struct cli_cmd cmd_cancel = {
	.name = "cancel",
	.usage = "cancel JOB [--json] [--socket PATH]",
	.summary = "cancel a daemon job (its running run is interrupted)",
	.flags = CLI_OPT_JSON | CLI_OPT_SOCKET,
	.args_min = 1,
	.args_max = 1,
	.exec = cmd_cancel_exec,
};

static int
cmd_cancel_exec(int argc, char **argv)
{
	struct cli_args args;
	json_t *reply = NULL;
	char *cause = NULL, *path;
	const char *job;
	long code;
	int r;

	if ((r = cli_parse_options(&cmd_cancel, argc, argv, NULL, NULL,
	    &args)) != CLI_CONTINUE)
		return r;
	job = args.argv[0];
	if (strchr(job, '/') != NULL)
		return cli_usage(&cmd_cancel);
	path = xasprintf("/v1/jobs/%s/cancel", job);
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
	if (args.json)
		cli_print_json(reply);
	else {
		printf("job %s cancelled\n", job);
		json_decref(reply);
	}
	return EXIT_OK;
}
