/*
 * ping.c - PingService: lets clients (roxctl, CI plugins, load balancers)
 * check that central answers its API, without credentials.
 */
#include "central.h"

int central_handle_getPing(struct http_exchange *ex, const struct central_getPing_params *params, json_t *body)
{
	const struct central_PongMessage pong = {.status = "ok"};

	return http_respond_json(ex, 200, central_PongMessage_to_json(&pong));
}
