/*
 * main.c - central's wiring: its settings and its generated routes.
 */
#include "central.h"
#include "service/service.h"

static const struct service_definition central_service = {
	.name = "central",
	.summary = "Alauda Security Service central: the REST API and portal of an installation.",
	.default_listen = "0.0.0.0:8443",
	.register_routes = central_api_register,
};

int main(int argc, char **argv)
{
	return service_main(&central_service, argc, argv);
}
