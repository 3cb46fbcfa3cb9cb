/* cmd-status.c - what mmstormd is doing. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"

static int cmd_status_exec(int, char **);

const struct cli_cmd cmd_status = {
	.name = "status",
	.usage = "status [--json] [--socket PATH]",
	.summary = "the daemon's state: queue, current run, health",
	.flags = CLI_OPT_JSON | CLI_OPT_SOCKET,
	.exec = cmd_status_exec,
};

/* The fleet queue's claimer (mmstormd --fleet-claim), when on. */
static void
print_fleet_claim(json_t *c)
{
	const char *err;

	if (!json_is_object(c))
		return;
	printf("queue     %s as '%s', health %s, %lld claimed, %lld "
	    "lease(s) held",
	    json_is_true(json_object_get(c, "connected")) ? "connected" :
	    json_string_value(json_object_get(c, "state")),
	    json_string_value(json_object_get(c, "host")),
	    json_string_value(json_object_get(c, "health")),
	    (long long)json_integer_value(json_object_get(c, "claimed")),
	    (long long)json_integer_value(json_object_get(c, "leases")));
	if (json_number_value(json_object_get(c, "heartbeat_age_s")) >= 0)
		printf(", heartbeat %.0f s ago",
		    json_number_value(json_object_get(c, "heartbeat_age_s")));
	printf("\n");
	if ((err = json_string_value(json_object_get(c, "last_error"))) != NULL)
		printf("          last error: %s\n", err);
}

/* The fleet push (mmstormd --fleet, docs/fleet.md), when configured. */
static void
print_fleet(json_t *f)
{
	const char *err;

	if (!json_is_object(f))
		return;
	printf("fleet     %s, %lld run(s) waiting",
	    json_string_value(json_object_get(f, "state")),
	    (long long)json_integer_value(json_object_get(f, "backlog")));
	if (json_integer_value(json_object_get(f, "backlog")) > 0)
		printf(" (oldest %.0f s)",
		    json_number_value(json_object_get(f, "oldest_s")));
	printf(", %lld pushed\n",
	    (long long)json_integer_value(json_object_get(f, "pushed")));
	if ((err = json_string_value(json_object_get(f, "last_error"))) != NULL)
		printf("          last error: %s\n", err);
	print_fleet_claim(json_object_get(f, "claim"));
}

static int
cmd_status_exec(int argc, char **argv)
{
	struct cli_args args;
	const char *sock;
	json_t *st = NULL, *cur;
	char *cause = NULL;
	long code;
	int r;

	if ((r = cli_parse_options(&cmd_status, argc, argv, NULL, NULL,
	    &args)) != CLI_CONTINUE)
		return r;
	sock = client_socket_path(cli_socket_path);
	if (client_request(sock, "GET", "/v1/status", NULL, &code, &st,
	    &cause) != 0 || code != 200 || st == NULL) {
		cli_error("%s", cause ? cause : "the daemon answered with an "
		    "error");
		free(cause);
		json_decref(st);
		return EXIT_FAIL;
	}
	if (args.json) {
		cli_print_json(st);
		return EXIT_OK;
	}
	printf("daemon    mmstormd pid %lld, up %.0f s\n",
	    (long long)json_integer_value(json_object_get(st, "pid")),
	    json_number_value(json_object_get(st, "uptime_s")));
	printf("database  %s\n", json_string_value(json_object_get(st, "db")));
	printf("queue     %lld job(s) waiting\n",
	    (long long)json_integer_value(json_object_get(st, "queue")));
	cur = json_object_get(st, "current");
	if (json_is_object(cur))
		printf("current   %s  %s  %s\n",
		    json_string_value(json_object_get(cur, "run")),
		    json_string_value(json_object_get(cur, "workload")),
		    json_string_value(json_object_get(cur, "phase")) ?
		    json_string_value(json_object_get(cur, "phase")) : "");
	else
		printf("current   idle\n");
	printf("health    loop lag %.3f s, %lld stall(s), %lld kernel log "
	    "records (%lld lost)\n",
	    json_number_value(json_object_get(st, "loop_lag_s")),
	    (long long)json_integer_value(json_object_get(st, "stalls")),
	    (long long)json_integer_value(json_object_get(st, "kmsg_records")),
	    (long long)json_integer_value(json_object_get(st, "kmsg_lost")));
	print_fleet(json_object_get(st, "fleet"));
	json_decref(st);
	return EXIT_OK;
}
