/*
 * main.c - asec-pki, the command line over shared/pki: make the CA, issue
 * service certificates, set up a development PKI, show a certificate.
 *
 * It only parses arguments and reports; every decision about certificates
 * and files lives in the library, so services and tests get the same
 * behaviour. Exit codes: 0 success, 1 failure (with the reason on stderr),
 * 2 bad usage (with the usage text).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "pki/pki.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage:\n"
	"  asec-pki init DIR [--days N]\n"
	"      Make the CA: DIR/ca.crt and DIR/ca.key (default %d days).\n"
	"      Never replaces an existing CA.\n"
	"  asec-pki issue DIR SERVICE_CN [--name FILE_BASE] [--dns NAME]... [--ip ADDR]... [--days N]\n"
	"      Issue DIR/FILE_BASE.crt and .key, signed by the CA in DIR (default %d days,\n"
	"      never past the CA's expiry). FILE_BASE defaults to the short name of a\n"
	"      known identity (central, sensor, ...).\n"
	"  asec-pki dev DIR\n"
	"      Development PKI: the CA if missing, then DIR/<short>.crt and .key for\n"
	"      every service (SANs localhost, 127.0.0.1, ::1 and its Kubernetes names)\n"
	"      and for the operator. Current files are kept; run it any time.\n"
	"  asec-pki show FILE\n"
	"      Describe the certificate in FILE.\n"
	"\n"
	"Service identities: CENTRAL_SERVICE SCANNER_V4_INDEXER_SERVICE\n"
	"  SCANNER_V4_MATCHER_SERVICE SENSOR_SERVICE ADMISSION_CONTROL_SERVICE\n"
	"  COLLECTOR_SERVICE, and OPERATOR for people and tools.\n";

static void usage(FILE *out)
{
	fprintf(out, usage_text, PKI_CA_DAYS_DEFAULT, PKI_CERT_DAYS_DEFAULT);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("asec-pki: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	usage(stderr);
	return EXIT_USAGE;
}

static int failed(void)
{
	fprintf(stderr, "asec-pki: %s\n", error_last());
	return 1;
}

static int parse_days(unsigned *days, const char *text)
{
	char *end;
	unsigned long n;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	n = strtoul(text, &end, 10);
	if (*end != '\0' || n == 0 || n > PKI_DAYS_MAX)
		return -1;
	*days = (unsigned)n;
	return 0;
}

static void dev_report(void *ctx, enum pki_dev_action action, const char *cert_path,
		       const char *common_name, const char *reason)
{
	static const char *const verbs[] = {
		[PKI_DEV_KEPT] = "kept    ",
		[PKI_DEV_CREATED] = "created ",
		[PKI_DEV_REPLACED] = "replaced",
	};

	(void)ctx;
	printf("%s %s (%s)%s%s\n", verbs[action], cert_path, common_name,
	       reason ? ": " : "", reason ? reason : "");
}

int main(int argc, char **argv)
{
	enum { OPT_DAYS = 1, OPT_NAME, OPT_DNS, OPT_IP, OPT_HELP };
	static const struct option options[] = {
		{"days", required_argument, NULL, OPT_DAYS},
		{"name", required_argument, NULL, OPT_NAME},
		{"dns", required_argument, NULL, OPT_DNS},
		{"ip", required_argument, NULL, OPT_IP},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char **dns = NULL, **ips = NULL, *name = NULL, *command, *days_text = NULL;
	struct pki_issue_request req = {0};
	const char *const *args;
	size_t dns_count = 0, ip_count = 0;
	unsigned days = 0;
	int nargs, opt, rc = EXIT_USAGE;
	char *pem = NULL, *text = NULL;
	size_t len;

	if (argc < 2)
		return usage_error("no command given");
	command = argv[1];
	if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
	    strcmp(command, "help") == 0) {
		usage(stdout);
		return 0;
	}
	/* Every option repeats at most argc times, which bounds both lists. */
	dns = calloc((size_t)argc, sizeof(*dns));
	ips = calloc((size_t)argc, sizeof(*ips));
	if (dns == NULL || ips == NULL) {
		fputs("asec-pki: out of memory\n", stderr);
		rc = 1;
		goto out;
	}
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc - 1, argv + 1, "h", options, NULL)) != -1) {
		switch (opt) {
		case OPT_DAYS:
			days_text = optarg;
			if (parse_days(&days, optarg) < 0) {
				rc = usage_error("--days wants a whole number from 1 to %d, not '%s'",
						 PKI_DAYS_MAX, optarg);
				goto out;
			}
			break;
		case OPT_NAME:
			name = optarg;
			break;
		case OPT_DNS:
			dns[dns_count++] = optarg;
			break;
		case OPT_IP:
			ips[ip_count++] = optarg;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			rc = 0;
			goto out;
		default:
			rc = usage_error("unknown option or missing value: %s",
					 optind < argc ? argv[optind] : "");
			goto out;
		}
	}
	args = (const char *const *)argv + 1 + optind;
	nargs = argc - 1 - optind;

	if ((name || dns_count || ip_count) && strcmp(command, "issue") != 0) {
		rc = usage_error("--name, --dns and --ip belong to 'issue', not '%s'", command);
		goto out;
	}
	if (days_text && strcmp(command, "init") != 0 && strcmp(command, "issue") != 0) {
		rc = usage_error("--days belongs to 'init' and 'issue', not '%s'", command);
		goto out;
	}

	if (strcmp(command, "init") == 0 && nargs == 1) {
		if (pki_dir_init(args[0], days ? days : PKI_CA_DAYS_DEFAULT)) {
			rc = failed();
			goto out;
		}
		printf("created %s/%s and %s/%s\n", args[0], PKI_CA_CERT_FILE, args[0],
		       PKI_CA_KEY_FILE);
	} else if (strcmp(command, "issue") == 0 && nargs == 2) {
		req.common_name = args[1];
		req.dns_names = dns;
		req.dns_count = dns_count;
		req.ip_addresses = ips;
		req.ip_count = ip_count;
		req.days = days ? days : PKI_CERT_DAYS_DEFAULT;
		if (pki_dir_issue(args[0], name, &req)) {
			rc = failed();
			goto out;
		}
		if (name == NULL)
			name = pki_identity_by_cn(args[1])->short_name;
		printf("issued %s/%s%s and %s/%s%s for %s\n", args[0], name, PKI_CERT_SUFFIX,
		       args[0], name, PKI_KEY_SUFFIX, args[1]);
	} else if (strcmp(command, "dev") == 0 && nargs == 1) {
		if (pki_dir_dev(args[0], dev_report, NULL)) {
			rc = failed();
			goto out;
		}
	} else if (strcmp(command, "show") == 0 && nargs == 1) {
		if (pki_file_read(&pem, &len, args[0])) {
			rc = failed();
			goto out;
		}
		if (pki_cert_describe(&text, pem, len)) {
			error_prefix("%s", args[0]);
			rc = failed();
			goto out;
		}
		fputs(text, stdout);
	} else if (strcmp(command, "init") == 0 || strcmp(command, "issue") == 0 ||
		   strcmp(command, "dev") == 0 || strcmp(command, "show") == 0) {
		rc = usage_error("wrong number of arguments for '%s'", command);
		goto out;
	} else {
		rc = usage_error("unknown command '%s'", command);
		goto out;
	}
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	free(pem);
	free(text);
	free(dns);
	free(ips);
	return rc;
}
