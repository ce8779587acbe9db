/*
 * detectors.c - the detectors the indexer runs, in report order: the
 * distribution first, then OS package databases, then language ecosystems.
 * Adding an ecosystem is one file pair in this folder and one line here.
 */
#include "detectors/detector.h"

extern const struct detector detector_osrelease;
extern const struct detector detector_dpkg;
extern const struct detector detector_rpm;
extern const struct detector detector_apk;
extern const struct detector detector_npm;
extern const struct detector detector_python;
extern const struct detector detector_java;
extern const struct detector detector_gobinary;
extern const struct detector detector_rustbinary;
extern const struct detector detector_gem;
extern const struct detector detector_dotnet;
extern const struct detector detector_composer;

const struct detector *const detectors_all[] = {
	&detector_osrelease,
	&detector_dpkg,
	&detector_rpm,
	&detector_apk,
	&detector_npm,
	&detector_python,
	&detector_java,
	&detector_gobinary,
	&detector_rustbinary,
	&detector_gem,
	&detector_dotnet,
	&detector_composer,
};

const size_t detectors_all_count = sizeof(detectors_all) / sizeof(detectors_all[0]);
