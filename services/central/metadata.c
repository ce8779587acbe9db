/*
 * metadata.c - MetadataService: central's version and build, in the shape
 * StackRox clients (roxctl, the Jenkins and GitHub plugins) read to decide
 * which API features they may use.
 */
#include "central.h"

#ifdef CENTRAL_RELEASE_BUILD
#define CENTRAL_BUILD_FLAVOR "release"
#define CENTRAL_RELEASE 1
#else
#define CENTRAL_BUILD_FLAVOR "development"
#define CENTRAL_RELEASE 0
#endif

int central_handle_getMetadata(struct http_exchange *ex, const struct central_getMetadata_params *params, json_t *body)
{
	/* The product needs no licence; StackRox reports VALID when licensing is off. */
	const struct central_Metadata metadata = {
		.version = ASEC_VERSION,
		.buildFlavor = CENTRAL_BUILD_FLAVOR,
		.releaseBuild = CENTRAL_RELEASE,
		.licenseStatus = "VALID",
	};

	return http_respond_json(ex, 200, central_Metadata_to_json(&metadata));
}
